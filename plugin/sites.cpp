// sites.cpp: the embedded runtime entry declarations and the constant site descriptors.
#include "plugin.h"

#include "clang/AST/DeclCXX.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Sema/Sema.h"

#include "memscope.h"

using namespace clang;

namespace memscope_plugin {

const char kEntryHeader[] =
#include "memscope_entry.inc"
    ;
const char kEntryBufferName[] = "<memscope>";

namespace {

// Names of the embedded declarations, in the order of enum Entry.
const char *const kEntryNames[ENTRY_COUNT_] = {
    "__memscope_malloc",         "__memscope_calloc",         "__memscope_realloc",
    "__memscope_free",           "__memscope_strdup",         "__memscope_strndup",
    "__memscope_aligned_alloc",  "__memscope_posix_memalign", "__memscope_reallocarray",
    "__memscope_wrap_enter",     "__memscope_wrap_leave",     "__memscope_wrap_result",
    "__memscope_wrap_free",      "__memscope_scope_exit",     "__memscope_set_exit",
    "__memscope_handoff",
};

const char kSiteRecordName[] = "__memscope_site_abi";
const unsigned kSiteFieldCount = 11;

bool inEntryBuffer(const Decl *decl, const SourceManager &sm) {
  PresumedLoc where = sm.getPresumedLoc(decl->getLocation());
  return where.isValid() && llvm::StringRef(where.getFilename()) == kEntryBufferName;
}

} // namespace

void RuntimeDecls::collect(Decl *decl, const SourceManager &sm) {
  if (auto *linkage = dyn_cast<LinkageSpecDecl>(decl)) {
    for (Decl *inner : linkage->decls())
      collect(inner, sm);
    return;
  }
  const auto *named = dyn_cast<NamedDecl>(decl);
  if (!named || !named->getIdentifier() || !inEntryBuffer(decl, sm))
    return;
  llvm::StringRef name = named->getName();
  if (auto *record = dyn_cast<RecordDecl>(decl)) {
    if (name == kSiteRecordName && record->isCompleteDefinition()) {
      unsigned fields = 0;
      for (const FieldDecl *field : record->fields()) {
        (void)field;
        ++fields;
      }
      if (fields == kSiteFieldCount)
        site_record = record;
    }
    return;
  }
  if (auto *fn = dyn_cast<FunctionDecl>(decl)) {
    for (unsigned i = 0; i < ENTRY_COUNT_; ++i)
      if (name == kEntryNames[i])
        entry[i] = fn;
  }
}

bool RuntimeDecls::complete() const {
  if (!site_record)
    return false;
  for (const FunctionDecl *fn : entry)
    if (!fn)
      return false;
  return true;
}

SiteBuilder::SiteBuilder(Sema &sema, const RuntimeDecls &decls, const Options &opts)
    : opts_(opts), sema_(sema), decls_(decls) {}

Expr *SiteBuilder::stringLit(llvm::StringRef text, SourceLocation loc) {
  ASTContext &ctx = sema_.getASTContext();
  QualType type = ctx.getStringLiteralArrayType(ctx.CharTy, text.size());
  return StringLiteral::Create(ctx, text, MEMSCOPE_ORDINARY_STRING, false, type, loc);
}

Expr *SiteBuilder::uintLit(unsigned long long value, QualType type, SourceLocation loc) {
  ASTContext &ctx = sema_.getASTContext();
  return IntegerLiteral::Create(ctx, llvm::APInt(ctx.getIntWidth(type), value), type, loc);
}

Expr *SiteBuilder::build(const SiteFields &f, SourceLocation loc) {
  ASTContext &ctx = sema_.getASTContext();
  TranslationUnitDecl *tu = ctx.getTranslationUnitDecl();
  Sema::ContextRAII at_file_scope(sema_, tu);

  Expr *inits[kSiteFieldCount] = {
      uintLit(MEMSCOPE_ABI_VERSION, ctx.UnsignedIntTy, loc),
      uintLit(f.kind, ctx.UnsignedIntTy, loc),
      uintLit(f.flags | opts_.sampleFlags(f.file, f.function), ctx.UnsignedIntTy, loc),
      uintLit(f.line, ctx.UnsignedIntTy, loc),
      uintLit(f.column, ctx.UnsignedIntTy, loc),
      stringLit(f.file, loc),
      stringLit(f.function, loc),
      stringLit(f.type_name, loc),
      stringLit(f.sizeof_type, loc),
      stringLit(f.var_name, loc),
      uintLit(f.elem_size, ctx.UnsignedLongLongTy, loc),
  };
  ExprResult list = sema_.BuildInitList(loc, inits, loc);
  if (list.isInvalid())
    return nullptr;
  QualType type = ctx.getRecordType(decls_.site_record).withConst();
  TypeSourceInfo *type_info = ctx.getTrivialTypeSourceInfo(type, loc);

  Expr *object = nullptr;
  if (!ctx.getLangOpts().CPlusPlus) {
    // C: a compound literal outside any function has static storage duration.
    ExprResult literal = sema_.BuildCompoundLiteralExpr(loc, type_info, loc, list.get());
    if (literal.isInvalid())
      return nullptr;
    auto *compound = dyn_cast<CompoundLiteralExpr>(literal.get()->IgnoreImplicit());
    if (!compound || !compound->isFileScope())
      return nullptr;
    object = literal.get();
  } else {
    // C++: an internal constant variable at namespace scope.
    std::string name = "__memscope_site_" + std::to_string(++counter_);
    VarDecl *var = VarDecl::Create(ctx, tu, loc, loc, &ctx.Idents.get(name), type, type_info,
                                   SC_Static);
    var->setImplicit();
    sema_.AddInitializerToDecl(var, list.get(), /*DirectInit=*/false);
    if (var->isInvalidDecl() || !var->getInit())
      return nullptr;
    tu->addDecl(var);
    addTopLevel(var);
    object = sema_.BuildDeclRefExpr(var, type, VK_LValue, loc);
  }
  ExprResult address = sema_.CreateBuiltinUnaryOp(loc, UO_AddrOf, object);
  if (address.isInvalid())
    return nullptr;
  return address.get();
}

void SiteBuilder::addTopLevel(Decl *decl) {
  own_decls_.insert(decl);
  new_decls_.push_back(decl);
}

std::vector<Decl *> SiteBuilder::takeNewDecls() {
  std::vector<Decl *> out;
  out.swap(new_decls_);
  return out;
}

} // namespace memscope_plugin
