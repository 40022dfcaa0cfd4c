// lifetimes.cpp: which local pointer variables get a scope-exit hook, and the hooks themselves.
#include "lifetimes.h"

#include "clang/AST/Attr.h"
#include "clang/AST/Stmt.h"
#include "clang/AST/StmtVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Sema/Sema.h"
#include "llvm/Support/raw_ostream.h"

#include "memscope.h"

using namespace clang;

namespace memscope_plugin {

bool Region::contains(const Path &path) const {
  for (const auto &[at_block, at_index] : path)
    if (at_block == block)
      return at_index > index;
  return false;
}

LifetimeRewriter::LifetimeRewriter(Sema &sema, const Options &opts, const RuntimeDecls &decls,
                                   SiteBuilder &sites)
    : sema_(sema), ctx_(sema.getASTContext()), sm_(ctx_.getSourceManager()), opts_(opts),
      decls_(decls), sites_(sites) {}

void LifetimeRewriter::reset(FunctionDecl *fn) {
  fn_ = fn;
  path_.clear();
  switches_.clear();
  labels_.clear();
  label_index_.clear();
  jumps_.clear();
  indirect_.clear();
  cases_.clear();
  address_taken_.clear();
  stmt_expr_bodies_.clear();
  candidates_.clear();
  hooks_.clear();
  visible_.clear();
  targets_.clear();
}

void LifetimeRewriter::run(FunctionDecl *fn, const Receivers &receivers) {
  auto *body = dyn_cast_or_null<CompoundStmt>(fn->getBody());
  if (!body || receivers.empty())
    return;
  reset(fn);
  receivers_ = &receivers;
  collect(body, nullptr, 0);
  bool any = false;
  for (Candidate &c : candidates_) {
    if (!c.skip)
      c.skip = jumpInto(c.region);
    if (!c.skip && !attach(c.var, c.region))
      c.skip = "no descriptor could be built";
    report(c.var, c.skip);
    any |= c.skip == nullptr;
  }
  if (any)
    fn->setBody(rewrite(body));
  receivers_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// Analysis: where the labels, jumps, case labels and candidate declarations are
// ---------------------------------------------------------------------------------------------

// 'block' and 'index' locate s when it is a statement of a block (possibly under labels).
void LifetimeRewriter::collect(Stmt *s, const CompoundStmt *block, unsigned index) {
  if (!s || isa<BlockExpr>(s)) // a block literal's body is a function of its own
    return;
  if (auto *compound = dyn_cast<CompoundStmt>(s)) {
    unsigned k = 0;
    for (Stmt *child : compound->body()) {
      path_.push_back({compound, k});
      collect(child, compound, k);
      path_.pop_back();
      ++k;
    }
    return;
  }
  if (auto *label = dyn_cast<LabelStmt>(s)) {
    label_index_[label->getDecl()] = unsigned(labels_.size());
    labels_.push_back({label->getDecl(), path_});
    collect(label->getSubStmt(), block, index);
    return;
  }
  if (auto *sc = dyn_cast<SwitchCase>(s)) {
    cases_.push_back({path_, switches_.empty() ? Path() : switches_.back()});
    collect(sc->getSubStmt(), block, index);
    return;
  }
  if (auto *attributed = dyn_cast<AttributedStmt>(s)) {
    collect(attributed->getSubStmt(), block, index);
    return;
  }
  if (auto *jump = dyn_cast<GotoStmt>(s)) {
    jumps_.push_back({path_, jump->getLabel()});
    return;
  }
  if (auto *addr = dyn_cast<AddrLabelExpr>(s)) {
    address_taken_.insert(addr->getLabel());
    return;
  }
  if (isa<IndirectGotoStmt>(s))
    indirect_.push_back(path_);
  if (auto *asm_stmt = dyn_cast<GCCAsmStmt>(s); asm_stmt && asm_stmt->isAsmGoto()) {
    indirect_.push_back(path_);
    for (unsigned i = 0; i < asm_stmt->getNumLabels(); ++i)
      jumps_.push_back({path_, asm_stmt->getLabelExpr(i)->getLabel()});
  }
  if (auto *sw = dyn_cast<SwitchStmt>(s)) {
    switches_.push_back(path_);
    for (Stmt *child : sw->children())
      collect(child, nullptr, 0);
    switches_.pop_back();
    return;
  }
  if (auto *stmt_expr = dyn_cast<StmtExpr>(s))
    stmt_expr_bodies_.insert(stmt_expr->getSubStmt());
  if (auto *decls = dyn_cast<DeclStmt>(s))
    collectDecl(decls, block, index);
  for (Stmt *child : s->children())
    collect(child, nullptr, 0);
}

namespace {

// True when s holds a statement that jumps or can be jumped to (through statement expressions).
bool holdsJumps(const Stmt *s) {
  if (!s || isa<BlockExpr>(s))
    return false;
  if (isa<LabelStmt, SwitchCase, GotoStmt, IndirectGotoStmt, ReturnStmt, BreakStmt, ContinueStmt,
          AddrLabelExpr>(s))
    return true;
  if (const auto *asm_stmt = dyn_cast<GCCAsmStmt>(s); asm_stmt && asm_stmt->isAsmGoto())
    return true;
  for (const Stmt *child : s->children())
    if (holdsJumps(child))
      return true;
  return false;
}

} // namespace

void LifetimeRewriter::collectDecl(DeclStmt *decls, const CompoundStmt *block, unsigned index) {
  for (Decl *decl : decls->decls()) {
    auto *var = dyn_cast<VarDecl>(decl);
    if (!var || !receivers_->count(var))
      continue;
    Candidate c{var, Region{block, index}, unsuitable(var)};
    if (!c.skip && !block)
      c.skip = "not declared in a block (a for statement)";
    if (!c.skip && stmt_expr_bodies_.count(block))
      c.skip = "declared in a statement expression's own block";
    if (!c.skip && holdsJumps(decls))
      c.skip = "its declaration holds a jump or a label";
    candidates_.push_back(c);
  }
}

const char *LifetimeRewriter::unsuitable(const VarDecl *var) const {
  if (isa<ParmVarDecl>(var))
    return "a parameter";
  if (!var->hasLocalStorage() || var->isImplicit())
    return "not an automatic variable";
  if (var->getStorageClass() == SC_Register)
    return "a register variable";
  QualType type = var->getType();
  if (type.isVolatileQualified())
    return "a volatile variable";
  if (!type->isPointerType())
    return "not a pointer";
  QualType pointee = type->getPointeeType();
  if (pointee->isFunctionType() || type->isVariablyModifiedType() ||
      pointee.getAddressSpace() != LangAS::Default)
    return "not a plain object pointer";
  if (var->hasAttr<CleanupAttr>())
    return "it already has a cleanup attribute";
  if (var->hasAttr<BlocksAttr>())
    return "a __block variable";
  return nullptr;
}

// Why control can enter the region other than through the declaration, or leave it without
// running cleanups, or null. Clang checks such jumps around a variable with a cleanup while it
// parses; the attribute added here comes later, so such variables are left alone.
const char *LifetimeRewriter::jumpInto(const Region &region) const {
  // Code generation branches straight to the target of these, without running cleanups.
  for (const Path &at : indirect_)
    if (region.contains(at))
      return "its scope holds a computed goto or an asm goto";
  for (const auto &[label, at] : labels_) {
    if (!region.contains(at))
      continue;
    if (address_taken_.count(label))
      return "a label in its scope has its address taken";
    for (const Jump &jump : jumps_)
      if (jump.label == label && !region.contains(jump.from))
        return "a label in its scope is the target of a jump from outside it";
  }
  for (const Case &c : cases_)
    if (region.contains(c.at) && !region.contains(c.switch_at))
      return "a case label of an enclosing switch follows it";
  return nullptr;
}

void LifetimeRewriter::report(const VarDecl *var, const char *skip) const {
  if (!opts_.verbose)
    return;
  PresumedLoc where = sm_.getPresumedLoc(sm_.getFileLoc(var->getLocation()));
  if (where.isInvalid())
    return;
  llvm::errs() << "memscope: " << where.getFilename() << ":" << where.getLine() << ":"
               << where.getColumn() << ": lifetime -> " << var->getName();
  if (skip)
    llvm::errs() << " not tracked: " << skip << "\n";
  else
    llvm::errs() << " (" << typeName(pointeeOf(var->getType()), ctx_) << ")\n";
}

// ---------------------------------------------------------------------------------------------
// Hooks
// ---------------------------------------------------------------------------------------------

bool LifetimeRewriter::attach(VarDecl *var, const Region &region) {
  SiteFields fields;
  if (!place(var->getLocation(), fields))
    return false;
  fields.kind = MEMSCOPE_KIND_VARIABLE;
  fields.type_name = typeName(pointeeOf(var->getType()), ctx_);
  fields.var_name = var->getNameAsString();
  Expr *site = sites_.build(fields, var->getLocation());
  if (!site)
    return false;
  FunctionDecl *hook = makeHook(var, site);
  if (!hook)
    return false;
  var->addAttr(CleanupAttr::CreateImplicit(ctx_, hook));
  if (!var->getInit()) {
    // An exit before the first assignment must not read an indeterminate value.
    QualType type = var->getType().getUnqualifiedType();
    SourceLocation loc = var->getLocation();
    Expr *zero = IntegerLiteral::Create(ctx_, llvm::APInt(ctx_.getIntWidth(ctx_.IntTy), 0),
                                        ctx_.IntTy, loc);
    var->setInit(ImplicitCastExpr::Create(ctx_, type, CK_NullToPointer, zero, nullptr,
                                          VK_PRValue, FPOptionsOverride()));
  }
  hooks_[var] = Hook{region, site};
  return true;
}

// static void __memscope_scope_N(T **var) { __memscope_scope_exit(*var, &site); }
FunctionDecl *LifetimeRewriter::makeHook(VarDecl *var, Expr *site) {
  TranslationUnitDecl *tu = ctx_.getTranslationUnitDecl();
  SourceLocation loc = var->getLocation();
  QualType var_type = var->getType();
  QualType param_type = ctx_.getPointerType(var_type);
  FunctionProtoType::ExtProtoInfo info;
  QualType fn_type = ctx_.getFunctionType(ctx_.VoidTy, {param_type}, info);
  std::string name = "__memscope_scope_" + std::to_string(++hook_counter_);
  FunctionDecl *hook =
      FunctionDecl::Create(ctx_, tu, loc, loc, &ctx_.Idents.get(name), fn_type,
                           ctx_.getTrivialTypeSourceInfo(fn_type, loc), SC_Static);
  ParmVarDecl *param = ParmVarDecl::Create(
      ctx_, hook, loc, loc, &ctx_.Idents.get("__memscope_var"), param_type,
      ctx_.getTrivialTypeSourceInfo(param_type, loc), SC_None, nullptr);
  param->setScopeInfo(0, 0);
  hook->setParams({param});

  Expr *addr = read(param, loc);
  Expr *object = UnaryOperator::Create(ctx_, addr, UO_Deref, var_type, VK_LValue, OK_Ordinary,
                                       loc, false, FPOptionsOverride());
  Expr *value = ImplicitCastExpr::Create(ctx_, var_type.getUnqualifiedType(), CK_LValueToRValue,
                                         object, nullptr, VK_PRValue, FPOptionsOverride());
  Expr *arg = asConstVoidPtr(value);
  Expr *body_call = arg ? call(ENTRY_SCOPE_EXIT, {arg, site}, loc) : nullptr;
  if (!body_call)
    return nullptr;
  hook->setBody(makeCompound(ctx_, {body_call}, loc, loc));
  hook->setImplicit();
  hook->setReferenced();
  hook->markUsed(ctx_);
  // No always_inline: at -O0 it costs the inliner's analyses in every caller; the optimiser
  // inlines such a small internal function anyway.
  hook->addAttr(NoDebugAttr::CreateImplicit(ctx_));
  tu->addDecl(hook);
  sites_.addTopLevel(hook);
  return hook;
}

// ---------------------------------------------------------------------------------------------
// AST helpers
// ---------------------------------------------------------------------------------------------

Expr *LifetimeRewriter::call(Entry entry, llvm::ArrayRef<Expr *> args, SourceLocation loc) {
  FunctionDecl *fn = decls_.entry[entry];
  Sema::ContextRAII at_file_scope(sema_, ctx_.getTranslationUnitDecl());
  ExprResult callee = sema_.BuildDeclarationNameExpr(
      CXXScopeSpec(), DeclarationNameInfo(fn->getDeclName(), loc), fn);
  if (callee.isInvalid())
    return nullptr;
  llvm::SmallVector<Expr *, 4> list(args.begin(), args.end());
  ExprResult built = sema_.BuildCallExpr(nullptr, callee.get(), loc, list, loc);
  return built.isInvalid() ? nullptr : built.get();
}

Expr *LifetimeRewriter::read(ValueDecl *var, SourceLocation loc) const {
  QualType type = var->getType();
  auto *ref = DeclRefExpr::Create(ctx_, NestedNameSpecifierLoc(), SourceLocation(), var, false,
                                  loc, type, VK_LValue);
  return ImplicitCastExpr::Create(ctx_, type.getUnqualifiedType(), CK_LValueToRValue, ref,
                                  nullptr, VK_PRValue, FPOptionsOverride());
}

Expr *LifetimeRewriter::asConstVoidPtr(Expr *e) const {
  QualType from = e->getType();
  if (!from->isPointerType())
    return nullptr;
  QualType to = ctx_.getPointerType(ctx_.VoidTy.withConst());
  CastKind kind = from->getPointeeType()->isVoidType() ? CK_NoOp : CK_BitCast;
  return ImplicitCastExpr::Create(ctx_, to, kind, e, nullptr, VK_PRValue, FPOptionsOverride());
}

Expr *LifetimeRewriter::comma(Expr *first, Expr *second) const {
  return BinaryOperator::Create(ctx_, first, second, BO_Comma, second->getType(), VK_PRValue,
                                OK_Ordinary, second->getBeginLoc(), FPOptionsOverride());
}

} // namespace memscope_plugin
