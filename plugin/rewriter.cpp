// rewriter.cpp: walks function bodies and replaces allocation calls with tracked runtime calls.
#include "rewriter.h"
#include "lifetimes.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/Stmt.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/Builtins.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Sema/Sema.h"
#include "llvm/Support/raw_ostream.h"

#include "memscope.h"

using namespace clang;

namespace memscope_plugin {

namespace {

const LibcFunction kLibc[] = {
    {"malloc", ENTRY_MALLOC, MEMSCOPE_KIND_MALLOC, 1, 0, -1, false, false},
    {"calloc", ENTRY_CALLOC, MEMSCOPE_KIND_CALLOC, 2, 1, 0, false, false},
    {"realloc", ENTRY_REALLOC, MEMSCOPE_KIND_REALLOC, 2, 1, -1, false, false},
    {"free", ENTRY_FREE, MEMSCOPE_KIND_FREE, 1, -1, -1, true, false},
    {"strdup", ENTRY_STRDUP, MEMSCOPE_KIND_STRDUP, 1, -1, -1, false, false},
    {"strndup", ENTRY_STRNDUP, MEMSCOPE_KIND_STRNDUP, 2, -1, -1, false, false},
    {"aligned_alloc", ENTRY_ALIGNED_ALLOC, MEMSCOPE_KIND_ALIGNED_ALLOC, 2, 1, -1, false, false},
    {"posix_memalign", ENTRY_POSIX_MEMALIGN, MEMSCOPE_KIND_POSIX_MEMALIGN, 3, 2, -1, false, true},
    {"reallocarray", ENTRY_REALLOCARRAY, MEMSCOPE_KIND_REALLOCARRAY, 3, 2, 1, false, false},
};

// The function a call names directly (not through a pointer variable).
FunctionDecl *directCallee(CallExpr *call) {
  auto *ref = dyn_cast<DeclRefExpr>(call->getCallee()->IgnoreParenImpCasts());
  return ref ? dyn_cast<FunctionDecl>(ref->getDecl()) : nullptr;
}

bool isUnevaluatedBuiltin(const CallExpr *call) {
  switch (call->getBuiltinCallee()) {
  case Builtin::BI__builtin_constant_p:
  case Builtin::BI__builtin_object_size:
  case Builtin::BI__builtin_dynamic_object_size:
    return true;
  default:
    return false;
  }
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Walking
// ---------------------------------------------------------------------------------------------

void CallRewriter::rewriteBody(FunctionDecl *fn) {
  receivers_.clear();
  site_fn_ = fn;
  local_ctx_ = fn;
  return_type_ = fn->getReturnType();
  if (auto *ctor = dyn_cast<CXXConstructorDecl>(fn)) {
    // Member initializers cannot be replaced, but their operands can (a C++ allocation call
    // initializing a pointer member is always the operand of a cast).
    for (CXXCtorInitializer *init : ctor->inits()) {
      if (!init->isWritten() || !init->getInit())
        continue;
      Dest dest;
      if (FieldDecl *field = init->getMember()) {
        dest.name = field->getNameAsString();
        dest.type = field->getType();
        dest.flags = MEMSCOPE_SITE_FIELD;
      }
      visitChildren(init->getInit(), &dest);
    }
  }
  visit(fn->getBody(), nullptr);
}

void CallRewriter::rewriteInit(VarDecl *var) {
  receivers_.clear();
  site_fn_ = nullptr;
  local_ctx_ = nullptr;
  return_type_ = QualType();
  Expr *init = var->getInit();
  Dest dest{var->getNameAsString(), var->getType(), 0};
  Stmt *replaced = visit(init, &dest);
  if (replaced != init)
    var->setInit(cast<Expr>(replaced));
}

void CallRewriter::visitChildren(Stmt *s, const Dest *dest) {
  for (Stmt *&child : s->children())
    child = visit(child, dest);
}

void CallRewriter::visitNested(Stmt *body, DeclContext *context, QualType return_type) {
  DeclContext *saved_ctx = local_ctx_;
  QualType saved_return = return_type_;
  local_ctx_ = context;
  return_type_ = return_type;
  visit(body, nullptr);
  local_ctx_ = saved_ctx;
  return_type_ = saved_return;
}

void CallRewriter::visitDeclStmt(DeclStmt *decls) {
  for (Decl *decl : decls->decls()) {
    auto *var = dyn_cast<VarDecl>(decl);
    if (!var || !var->getInit())
      continue;
    Expr *init = var->getInit();
    Dest dest{var->getNameAsString(), var->getType(), 0, var->hasLocalStorage() ? var : nullptr};
    Stmt *replaced = visit(init, &dest);
    if (replaced != init)
      var->setInit(cast<Expr>(replaced));
  }
}

void CallRewriter::noteReceiver(const Dest *dest) {
  if (dest && dest->var)
    receivers_.insert(dest->var);
}

// posix_memalign(&p, ...): the local p receives the block.
void CallRewriter::noteOutParam(const Expr *arg) {
  const auto *addr = dyn_cast<UnaryOperator>(arg->IgnoreParenCasts());
  if (!addr || addr->getOpcode() != UO_AddrOf)
    return;
  const auto *ref = dyn_cast<DeclRefExpr>(addr->getSubExpr()->IgnoreParens());
  const auto *var = ref ? dyn_cast<VarDecl>(ref->getDecl()) : nullptr;
  if (var && var->hasLocalStorage())
    receivers_.insert(const_cast<VarDecl *>(var));
}

void CallRewriter::visitInitList(InitListExpr *list, const Dest *dest) {
  // Elements of an initialized aggregate are named after it: "x.buf", "v[2]".
  QualType type = list->getType();
  bool named = dest && !dest->name.empty() && list->isSemanticForm();
  const RecordDecl *record = type->getAsRecordDecl();
  std::vector<const FieldDecl *> fields;
  if (named && record) {
    if (record->isUnion()) {
      if (const FieldDecl *field = list->getInitializedFieldInUnion())
        fields.push_back(field);
    } else {
      for (const FieldDecl *field : record->fields())
        fields.push_back(field);
    }
    if (fields.size() != list->getNumInits())
      fields.clear();
  }
  for (unsigned i = 0; i < list->getNumInits(); ++i) {
    Expr *init = list->getInit(i);
    if (!init)
      continue;
    Dest element;
    const Dest *element_dest = nullptr;
    if (!fields.empty() && fields[i]->getIdentifier()) {
      element = {dest->name + "." + fields[i]->getNameAsString(), fields[i]->getType(),
                 MEMSCOPE_SITE_FIELD};
      element_dest = &element;
    } else if (named && type->isArrayType()) {
      element = {dest->name + "[" + std::to_string(i) + "]", init->getType(),
                 MEMSCOPE_SITE_FIELD};
      element_dest = &element;
    }
    Stmt *replaced = visit(init, element_dest);
    if (replaced != init)
      list->setInit(i, cast<Expr>(replaced));
  }
}

Stmt *CallRewriter::visit(Stmt *s, const Dest *dest) {
  if (!s)
    return s;
  // Unevaluated operands, constants and expressions shared with other parts of the tree.
  if (isa<UnaryExprOrTypeTraitExpr, CXXNoexceptExpr, CXXDefaultArgExpr, CXXDefaultInitExpr,
          OpaqueValueExpr, PseudoObjectExpr, OffsetOfExpr, TypeTraitExpr, ConstantExpr>(s))
    return s;
  if (const auto *type_id = dyn_cast<CXXTypeidExpr>(s); type_id && !type_id->isPotentiallyEvaluated())
    return s;
  if (const auto *e = dyn_cast<Expr>(s); e && (e->isTypeDependent() || e->isValueDependent()))
    return s;

  if (auto *decls = dyn_cast<DeclStmt>(s)) {
    visitDeclStmt(decls);
    return s;
  }
  if (auto *ret = dyn_cast<ReturnStmt>(s)) {
    Dest d{"", return_type_, MEMSCOPE_SITE_RETURN};
    Expr *value = ret->getRetValue();
    Stmt *replaced = visit(value, &d);
    if (replaced != value)
      ret->setRetValue(cast<Expr>(replaced));
    return s;
  }
  if (auto *op = dyn_cast<BinaryOperator>(s); op && !isa<CompoundAssignOperator>(s)) {
    if (op->getOpcode() == BO_Assign) {
      op->setLHS(cast<Expr>(visit(op->getLHS(), nullptr)));
      const Expr *lhs = op->getLHS()->IgnoreParenImpCasts();
      Dest d{exprText(lhs, ctx_), lhs->getType(),
             isa<DeclRefExpr>(lhs) ? 0u : unsigned(MEMSCOPE_SITE_FIELD)};
      if (const auto *ref = dyn_cast<DeclRefExpr>(lhs))
        if (const auto *var = dyn_cast<VarDecl>(ref->getDecl()); var && var->hasLocalStorage())
          d.var = const_cast<VarDecl *>(var);
      op->setRHS(cast<Expr>(visit(op->getRHS(), &d)));
      return s;
    }
    if (op->getOpcode() == BO_Comma) {
      op->setLHS(cast<Expr>(visit(op->getLHS(), nullptr)));
      op->setRHS(cast<Expr>(visit(op->getRHS(), dest)));
      return s;
    }
    visitChildren(s, nullptr);
    return s;
  }
  if (auto *cast_expr = dyn_cast<CastExpr>(s)) {
    // A cast to a pointer to a complete type says what the block is for.
    Dest refined = dest ? *dest : Dest();
    QualType to = cast_expr->getType();
    QualType pointee = pointeeOf(to);
    if (!pointee.isNull() && !pointee->isVoidType()) {
      QualType known = pointeeOf(refined.type);
      if (isa<ExplicitCastExpr>(s) || known.isNull() || known->isVoidType())
        refined.type = to;
    }
    visitChildren(s, &refined);
    return s;
  }
  if (isa<ParenExpr, FullExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr>(s)) {
    visitChildren(s, dest);
    return s;
  }
  if (auto *cond = dyn_cast<ConditionalOperator>(s)) {
    unsigned index = 0;
    for (Stmt *&child : cond->children())
      child = visit(child, index++ == 0 ? nullptr : dest);
    return s;
  }
  if (auto *cond = dyn_cast<BinaryConditionalOperator>(s)) {
    unsigned index = 0;
    for (Stmt *&child : cond->children())
      child = visit(child, index++ < 2 ? nullptr : dest);
    return s;
  }
  if (auto *choose = dyn_cast<ChooseExpr>(s)) {
    Expr *chosen = choose->isConditionDependent() ? nullptr : choose->getChosenSubExpr();
    for (Stmt *&child : choose->children())
      if (child == chosen)
        child = visit(child, dest);
    return s;
  }
  if (auto *generic = dyn_cast<GenericSelectionExpr>(s)) {
    Expr *result = generic->isResultDependent() ? nullptr : generic->getResultExpr();
    for (Stmt *&child : generic->children())
      if (child == result)
        child = visit(child, dest);
    return s;
  }
  if (auto *stmt_expr = dyn_cast<StmtExpr>(s)) {
    CompoundStmt *body = stmt_expr->getSubStmt();
    Stmt *last = body->body_empty() ? nullptr : body->body_back();
    for (Stmt *&child : body->children())
      child = visit(child, child == last ? dest : nullptr);
    return s;
  }
  if (auto *list = dyn_cast<InitListExpr>(s)) {
    visitInitList(list, dest);
    return s;
  }
  if (auto *block = dyn_cast<BlockExpr>(s)) {
    BlockDecl *decl = block->getBlockDecl();
    QualType result;
    if (const auto *fn_type = block->getFunctionType())
      result = fn_type->getReturnType();
    visitNested(decl->getBody(), decl, result);
    return s;
  }
  if (auto *lambda = dyn_cast<LambdaExpr>(s)) {
    CXXMethodDecl *op = lambda->getCallOperator();
    if (!op || op->isDependentContext())
      return s;
    for (Expr *&init : lambda->capture_inits())
      if (init)
        init = cast<Expr>(visit(init, nullptr));
    visitNested(lambda->getBody(), op, op->getReturnType());
    return s;
  }
  if (auto *call = dyn_cast<CallExpr>(s))
    return visitCall(call, dest);
  visitChildren(s, nullptr);
  return s;
}

Expr *CallRewriter::visitCall(CallExpr *call, const Dest *dest) {
  if (isUnevaluatedBuiltin(call) || generated_.count(call))
    return call;
  visitChildren(call, nullptr);
  FunctionDecl *fn = directCallee(call);
  if (!fn || !fn->getIdentifier())
    return call;
  if (const LibcFunction *lib = libcFunction(fn))
    return rewriteLibc(call, *lib, dest);
  auto wrapper = opts_.wrappers.find(fn->getName());
  if (wrapper != opts_.wrappers.end())
    return rewriteWrapper(call, fn, wrapper->second, dest);
  return call;
}

// ---------------------------------------------------------------------------------------------
// Naming a site
// ---------------------------------------------------------------------------------------------

const LibcFunction *CallRewriter::libcFunction(const FunctionDecl *fn) const {
  llvm::StringRef name = fn->getName();
  const LibcFunction *found = nullptr;
  for (const LibcFunction &lib : kLibc)
    if (name == lib.name)
      found = &lib;
  // An extern "C" function of that name is the C library's symbol, wherever it is declared.
  if (!found || fn->getStorageClass() == SC_Static || !fn->isExternC())
    return nullptr;
  // A definition outside the system headers is the program's own function of that name.
  bool from_library = fn->getBuiltinID() != 0;
  for (const FunctionDecl *decl : fn->redecls()) {
    bool system = sm_.isInSystemHeader(decl->getLocation());
    if (decl->doesThisDeclarationHaveABody() && !system)
      return nullptr;
    if (decl->isImplicit() || system)
      from_library = true;
  }
  return from_library ? found : nullptr;
}

bool CallRewriter::locate(CallExpr *call, SiteFields &fields, SourceLocation &loc) const {
  SourceLocation at = call->getCallee()->IgnoreParenImpCasts()->getBeginLoc();
  if (at.isInvalid())
    at = call->getBeginLoc();
  if (at.isInvalid())
    return false;
  SourceLocation file_loc = sm_.getFileLoc(at);
  if (sm_.isInSystemHeader(file_loc))
    return false;
  PresumedLoc where = sm_.getPresumedLoc(file_loc);
  if (where.isInvalid() || llvm::StringRef(where.getFilename()) == kEntryBufferName)
    return false;
  if (!opts_.wantsFile(where.getFilename()))
    return false;
  fields.file = where.getFilename();
  fields.line = where.getLine();
  fields.column = where.getColumn();
  fields.function = functionName(site_fn_);
  if (at.isMacroID() && sm_.getExpansionLoc(at) == file_loc)
    fields.flags |= MEMSCOPE_SITE_MACRO;
  loc = call->getBeginLoc();
  return true;
}

void CallRewriter::nameDestination(const Dest *dest, SiteFields &fields) const {
  if (!dest)
    return;
  fields.var_name = dest->name;
  fields.flags |= dest->flags;
  QualType pointee = pointeeOf(dest->type);
  if (!pointee.isNull())
    fields.type_name = typeName(pointee, ctx_);
}

void CallRewriter::nameReleased(const Expr *arg, SiteFields &fields) const {
  const Expr *ptr = arg->IgnoreParenCasts();
  if (ptr->isNullPointerConstant(ctx_, Expr::NPC_ValueDependentIsNotNull))
    return;
  if (ptr->isLValue()) {
    fields.var_name = exprText(ptr, ctx_);
    if (!isa<DeclRefExpr>(ptr))
      fields.flags |= MEMSCOPE_SITE_FIELD;
  }
  QualType pointee = pointeeOf(ptr->getType());
  if (!pointee.isNull())
    fields.type_name = typeName(pointee, ctx_);
}

void CallRewriter::nameOutParam(const Expr *arg, SiteFields &fields) const {
  const Expr *out = arg->IgnoreParenCasts();
  const auto *addr = dyn_cast<UnaryOperator>(out);
  if (addr && addr->getOpcode() == UO_AddrOf) {
    const Expr *target = addr->getSubExpr()->IgnoreParens();
    fields.var_name = exprText(target, ctx_);
    if (!isa<DeclRefExpr>(target))
      fields.flags |= MEMSCOPE_SITE_FIELD;
    QualType pointee = pointeeOf(target->getType());
    if (!pointee.isNull())
      fields.type_name = typeName(pointee, ctx_);
    return;
  }
  // An output pointer passed on: the destination is *out.
  fields.var_name = "*" + exprText(out, ctx_);
  fields.flags |= MEMSCOPE_SITE_FIELD;
  QualType pointee = pointeeOf(pointeeOf(out->getType()));
  if (!pointee.isNull())
    fields.type_name = typeName(pointee, ctx_);
}

void CallRewriter::nameSize(const Expr *size, bool counted, SiteFields &fields) const {
  SizeInfo info = analyseSize(size, ctx_);
  if (!info.sizeof_type.isNull()) {
    fields.sizeof_type = typeName(info.sizeof_type, ctx_);
    fields.elem_size = typeSize(info.sizeof_type, ctx_);
  }
  if (counted || info.counted)
    fields.flags |= MEMSCOPE_SITE_COUNTED;
}

void CallRewriter::report(const SiteFields &f, llvm::StringRef callee) const {
  if (!opts_.verbose)
    return;
  std::string var = f.var_name;
  if (var.empty())
    var = (f.flags & MEMSCOPE_SITE_RETURN) ? "return" : "(none)";
  llvm::errs() << "memscope: " << f.file << ":" << f.line << ":" << f.column << ": " << callee
               << " -> " << var << " (" << f.type_name << ")\n";
}

// ---------------------------------------------------------------------------------------------
// BodyRewriter
// ---------------------------------------------------------------------------------------------

BodyRewriter::BodyRewriter(CompilerInstance &ci, Sema &sema, const Options &opts,
                           const RuntimeDecls &decls, SiteBuilder &sites)
    : impl_(std::make_unique<CallRewriter>(sema, opts, decls, sites)) {
  const LangOptions &lang = sema.getLangOpts();
  if (opts.lifetimes && !lang.CPlusPlus && !lang.ObjC)
    lifetimes_ = std::make_unique<LifetimeRewriter>(sema, opts, decls, sites);
}

BodyRewriter::~BodyRewriter() = default;

void BodyRewriter::rewriteFunction(FunctionDecl *fn) {
  const FunctionDecl *definition = nullptr;
  if (!fn->hasBody(definition) || definition != fn)
    return;
  if (!done_.insert(fn).second)
    return;
  if (fn->isDependentContext() || fn->isInvalidDecl() || !fn->getBody())
    return;
  const SourceManager &sm = fn->getASTContext().getSourceManager();
  if (sm.isInSystemHeader(sm.getFileLoc(fn->getLocation())))
    return;
  impl_->rewriteBody(fn);
  if (lifetimes_ && !impl_->receivers().empty())
    lifetimes_->run(fn, impl_->receivers());
}

void BodyRewriter::rewriteGlobalInit(VarDecl *var) {
  if (!var->getInit() || var->isInvalidDecl() || var->getDeclContext()->isDependentContext())
    return;
  const SourceManager &sm = var->getASTContext().getSourceManager();
  if (sm.isInSystemHeader(sm.getFileLoc(var->getLocation())))
    return;
  impl_->rewriteInit(var);
}

} // namespace memscope_plugin
