// memscope_plugin.cpp: the memscope Clang plugin action: makes the runtime entry points visible
// and rewrites allocation call sites into tracked calls before code generation sees them.
#include "plugin.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclGroup.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Sema/Sema.h"
#include "clang/Sema/SemaConsumer.h"

using namespace clang;
using namespace memscope_plugin;

namespace {

class MemscopeConsumer : public SemaConsumer {
public:
  MemscopeConsumer(CompilerInstance &ci, std::shared_ptr<const Options> opts)
      : ci_(ci), opts_(std::move(opts)) {}

  void InitializeSema(Sema &sema) override {
    sema_ = &sema;
    sites_ = std::make_unique<SiteBuilder>(sema, decls_, *opts_);
    rewriter_ = std::make_unique<BodyRewriter>(ci_, sema, *opts_, decls_, *sites_);
  }

  void ForgetSema() override {
    rewriter_.reset();
    sites_.reset();
    sema_ = nullptr;
  }

  bool HandleTopLevelDecl(DeclGroupRef group) override {
    if (handing_over_)
      return true;
    const SourceManager &sm = ci_.getSourceManager();
    for (Decl *decl : group)
      decls_.collect(decl, sm);
    if (!ready())
      return true;
    for (Decl *decl : group)
      handleDecl(decl);
    handOverSites();
    return true;
  }

  void HandleInlineFunctionDefinition(FunctionDecl *fn) override {
    if (handing_over_ || !ready())
      return;
    rewriter_->rewriteFunction(fn);
    handOverSites();
  }

  void HandleTranslationUnit(ASTContext &) override {
    if (!decls_.complete() && !ci_.getDiagnostics().hasErrorOccurred()) {
      DiagnosticsEngine &diags = ci_.getDiagnostics();
      unsigned id = diags.getCustomDiagID(
          DiagnosticsEngine::Warning,
          "memscope: runtime entry declarations are not visible (preprocessed input?); "
          "allocation calls were not rewritten");
      diags.Report(id);
    }
  }

private:
  bool ready() const {
    return sema_ && decls_.complete() && !ci_.getDiagnostics().hasErrorOccurred();
  }

  void handleDecl(Decl *decl) {
    if (sites_->isOwnDecl(decl))
      return;
    if (auto *fn = dyn_cast<FunctionDecl>(decl)) {
      rewriter_->rewriteFunction(fn);
      return;
    }
    if (auto *var = dyn_cast<VarDecl>(decl)) {
      if (ci_.getLangOpts().CPlusPlus && var->hasGlobalStorage() && !var->isStaticLocal())
        rewriter_->rewriteGlobalInit(var);
      return;
    }
    if (isa<LinkageSpecDecl, NamespaceDecl>(decl)) {
      for (Decl *inner : cast<DeclContext>(decl)->decls())
        handleDecl(inner);
      return;
    }
    if (auto *record = dyn_cast<CXXRecordDecl>(decl)) {
      if (record->isDependentContext())
        return;
      for (Decl *inner : record->decls())
        if (isa<FunctionDecl, CXXRecordDecl>(inner) ||
            (isa<VarDecl>(inner) && cast<VarDecl>(inner)->isStaticDataMember()))
          handleDecl(inner);
    }
  }

  // Descriptor variables (C++) and scope-exit hooks go to the other consumers so that code
  // generation emits them, before the function that refers to them.
  void handOverSites() {
    std::vector<Decl *> made = sites_->takeNewDecls();
    if (made.empty())
      return;
    llvm::SmallVector<Decl *, 8> decls(made.begin(), made.end());
    DeclGroupRef group =
        DeclGroupRef::Create(ci_.getASTContext(), decls.data(), unsigned(decls.size()));
    handing_over_ = true;
    ci_.getASTConsumer().HandleTopLevelDecl(group);
    handing_over_ = false;
  }

  CompilerInstance &ci_;
  std::shared_ptr<const Options> opts_;
  Sema *sema_ = nullptr;
  RuntimeDecls decls_;
  std::unique_ptr<SiteBuilder> sites_;
  std::unique_ptr<BodyRewriter> rewriter_;
  bool handing_over_ = false;
};

class MemscopeAction : public PluginASTAction {
public:
  ActionType getActionType() override { return AddBeforeMainAction; }

protected:
  bool ParseArgs(const CompilerInstance &ci, const std::vector<std::string> &args) override {
    auto opts = std::make_shared<Options>();
    if (!parseOptions(args, ci.getDiagnostics(), *opts))
      return false;
    opts_ = std::move(opts);
    return true;
  }

  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &ci, llvm::StringRef) override {
    // The entry points enter the translation unit as a system-header region at the end of the
    // predefines, so the program's own diagnostics stay exactly as they were.
    Preprocessor &pp = ci.getPreprocessor();
    std::string predefines = pp.getPredefines();
    std::string marker = std::string("# 1 \"") + kEntryBufferName + "\" 3\n";
    if (predefines.find(marker) == std::string::npos) {
      if (!predefines.empty() && predefines.back() != '\n')
        predefines += '\n';
      predefines += marker;
      predefines += kEntryHeader;
      pp.setPredefines(predefines);
    }
    if (!opts_)
      opts_ = std::make_shared<Options>();
    return std::make_unique<MemscopeConsumer>(ci, opts_);
  }

private:
  std::shared_ptr<const Options> opts_;
};

} // namespace

static FrontendPluginRegistry::Add<MemscopeAction>
    X("memscope", "rewrite allocation call sites into memscope tracked calls");
