// calls.cpp: builds the replacement calls: tracked entry points and bracketed wrapper calls.
#include "rewriter.h"

#include "clang/AST/DeclCXX.h"
#include "clang/Sema/Sema.h"

#include "memscope.h"

using namespace clang;

namespace memscope_plugin {

// ---------------------------------------------------------------------------------------------
// Building replacement calls
// ---------------------------------------------------------------------------------------------

Expr *CallRewriter::convertArg(Expr *arg, QualType to) const {
  QualType from = arg->getType();
  if (ctx_.hasSameUnqualifiedType(from, to))
    return arg;
  CastKind kind;
  if (from->isPointerType() && to->isPointerType())
    kind = ctx_.hasSameUnqualifiedType(pointeeOf(from), pointeeOf(to)) ? CK_NoOp : CK_BitCast;
  else if (from->isIntegerType() && to->isIntegerType())
    kind = CK_IntegralCast;
  else if (from->isNullPtrType() && to->isPointerType())
    kind = CK_NullToPointer;
  else
    return nullptr;
  if (!arg->isPRValue())
    return nullptr;
  return ImplicitCastExpr::Create(ctx_, to, kind, arg, nullptr, VK_PRValue, FPOptionsOverride());
}

Expr *CallRewriter::callEntry(Entry entry, llvm::ArrayRef<Expr *> args, SourceLocation loc,
                              SourceLocation rparen) {
  FunctionDecl *fn = decls_.entry[entry];
  Sema::ContextRAII at_file_scope(sema_, ctx_.getTranslationUnitDecl());
  ExprResult callee =
      sema_.BuildDeclarationNameExpr(CXXScopeSpec(), DeclarationNameInfo(fn->getDeclName(), loc), fn);
  if (callee.isInvalid())
    return nullptr;
  llvm::SmallVector<Expr *, 4> list(args.begin(), args.end());
  ExprResult call = sema_.BuildCallExpr(nullptr, callee.get(), loc, list, rparen);
  if (call.isInvalid())
    return nullptr;
  generated_.insert(call.get());
  return call.get();
}

Expr *CallRewriter::rewriteLibc(CallExpr *call, const LibcFunction &lib, const Dest *dest) {
  if (call->getNumArgs() != lib.arity)
    return call;
  FunctionDecl *entry = decls_.entry[lib.entry];
  if (entry->getNumParams() != lib.arity + 1)
    return call;
  QualType result = entry->getReturnType();
  bool same_result = ctx_.hasSameUnqualifiedType(result, call->getType());
  if (!same_result && !(result->isPointerType() && call->getType()->isPointerType()))
    return call;
  llvm::SmallVector<Expr *, 4> args;
  for (unsigned i = 0; i < lib.arity; ++i) {
    Expr *arg = convertArg(call->getArg(i), entry->getParamDecl(i)->getType());
    if (!arg)
      return call;
    args.push_back(arg);
  }

  SiteFields fields;
  SourceLocation loc;
  if (!locate(call, fields, loc))
    return call;
  fields.kind = lib.kind;
  if (lib.releases)
    nameReleased(call->getArg(0), fields);
  else if (lib.out_param)
    nameOutParam(call->getArg(0), fields);
  else
    nameDestination(dest, fields);
  if (lib.size_arg >= 0)
    nameSize(call->getArg(lib.size_arg), lib.count_arg >= 0, fields);

  Expr *site = sites_.build(fields, loc);
  if (!site)
    return call;
  args.push_back(site);
  Expr *replacement = callEntry(lib.entry, args, loc, call->getRParenLoc());
  if (!replacement)
    return call;
  if (!same_result)
    replacement = ImplicitCastExpr::Create(ctx_, call->getType(), CK_BitCast, replacement, nullptr,
                                           VK_PRValue, FPOptionsOverride());
  report(fields, lib.name);
  if (lib.out_param)
    noteOutParam(call->getArg(0));
  else if (!lib.releases)
    noteReceiver(dest);
  return replacement;
}

// ---------------------------------------------------------------------------------------------
// Declared wrappers, in a statement expression (the sequence of include/memscope.h):
//   alloc=: ({ args...; site; token = enter(site); r = f(args); wrap_result(r, size, site);
//              leave(token); r; })
//   free=:  ({ args...; site; token = enter(site); f(args); wrap_free(ptr, site); leave(token); })
// ---------------------------------------------------------------------------------------------

VarDecl *CallRewriter::makeTemp(llvm::StringRef name, QualType type, Expr *init,
                                SourceLocation loc, llvm::SmallVectorImpl<Stmt *> &stmts) {
  VarDecl *var = VarDecl::Create(ctx_, local_ctx_, loc, loc, &ctx_.Idents.get(name), type,
                                 ctx_.getTrivialTypeSourceInfo(type, loc), SC_None);
  var->setImplicit();
  var->setReferenced();
  var->markUsed(ctx_);
  var->setInit(init);
  stmts.push_back(new (ctx_) DeclStmt(DeclGroupRef(var), loc, loc));
  return var;
}

Expr *CallRewriter::readTemp(VarDecl *var, SourceLocation loc) const {
  QualType type = var->getType();
  auto *ref = DeclRefExpr::Create(ctx_, NestedNameSpecifierLoc(), SourceLocation(), var, false,
                                  loc, type, VK_LValue);
  return ImplicitCastExpr::Create(ctx_, type.getUnqualifiedType(), CK_LValueToRValue, ref, nullptr,
                                  VK_PRValue, FPOptionsOverride());
}

Expr *CallRewriter::rewriteWrapper(CallExpr *call, FunctionDecl *fn, const WrapperSpec &spec,
                                   const Dest *dest) {
  if (!local_ctx_ || isa<CXXMethodDecl>(fn))
    return call;
  unsigned nargs = call->getNumArgs();
  QualType result = call->getType();
  if (spec.is_free) {
    if (spec.ptr_arg > nargs || !call->getArg(spec.ptr_arg - 1)->getType()->isPointerType())
      return call;
  } else {
    if (spec.size_arg > nargs || spec.count_arg > nargs || !result->isPointerType())
      return call;
    if (!call->getArg(spec.size_arg - 1)->getType()->isIntegerType() ||
        (spec.count_arg && !call->getArg(spec.count_arg - 1)->getType()->isIntegerType()))
      return call;
  }
  for (unsigned i = 0; i < nargs; ++i)
    if (!call->getArg(i)->getType()->isScalarType() || !call->getArg(i)->isPRValue())
      return call;

  SiteFields fields;
  SourceLocation loc;
  if (!locate(call, fields, loc))
    return call;
  fields.kind = spec.is_free ? MEMSCOPE_KIND_CUSTOM_FREE : MEMSCOPE_KIND_CUSTOM_ALLOC;
  fields.flags |= MEMSCOPE_SITE_WRAPPER;
  if (spec.is_free) {
    nameReleased(call->getArg(spec.ptr_arg - 1), fields);
  } else {
    nameDestination(dest, fields);
    nameSize(call->getArg(spec.size_arg - 1), spec.count_arg != 0, fields);
  }
  Expr *site = sites_.build(fields, loc);
  if (!site)
    return call;

  SourceLocation rparen = call->getRParenLoc();
  llvm::SmallVector<Stmt *, 8> stmts;
  llvm::SmallVector<VarDecl *, 4> arg_vars;
  for (unsigned i = 0; i < nargs; ++i) {
    Expr *arg = call->getArg(i);
    arg_vars.push_back(makeTemp("__memscope_arg" + std::to_string(i),
                                arg->getType().getUnqualifiedType(), arg, loc, stmts));
  }
  VarDecl *site_var = makeTemp("__memscope_site", site->getType(), site, loc, stmts);
  Expr *enter = callEntry(ENTRY_WRAP_ENTER, {readTemp(site_var, loc)}, loc, rparen);
  if (!enter)
    return call;
  VarDecl *token = makeTemp("__memscope_token", enter->getType(), enter, loc, stmts);

  llvm::SmallVector<Expr *, 4> wrapper_args;
  for (VarDecl *var : arg_vars)
    wrapper_args.push_back(readTemp(var, loc));
  Expr *inner = nullptr;
  {
    Sema::ContextRAII at_file_scope(sema_, ctx_.getTranslationUnitDecl());
    ExprResult callee = sema_.BuildDeclarationNameExpr(
        CXXScopeSpec(), DeclarationNameInfo(fn->getDeclName(), loc), fn);
    if (callee.isInvalid())
      return call;
    ExprResult built = sema_.BuildCallExpr(nullptr, callee.get(), loc, wrapper_args, rparen);
    if (built.isInvalid() || !ctx_.hasSameType(built.get()->getType(), result))
      return call;
    inner = built.get();
    generated_.insert(inner);
  }
  VarDecl *value = nullptr;
  if (result->isVoidType())
    stmts.push_back(inner);
  else
    value = makeTemp("__memscope_result", result.getUnqualifiedType(), inner, loc, stmts);

  if (spec.is_free) {
    // Recorded as freed at this call unless a tracked free happened inside the wrapper.
    Expr *ptr = convertArg(readTemp(arg_vars[spec.ptr_arg - 1], loc),
                           ctx_.getPointerType(ctx_.VoidTy.withConst()));
    Expr *released =
        ptr ? callEntry(ENTRY_WRAP_FREE, {ptr, readTemp(site_var, loc)}, loc, rparen) : nullptr;
    if (!released)
      return call;
    stmts.push_back(released);
  } else {
    QualType size_type = ctx_.getSizeType();
    auto as_size = [&](unsigned argno) -> Expr * {
      return convertArg(readTemp(arg_vars[argno - 1], loc), size_type);
    };
    Expr *size = as_size(spec.size_arg);
    if (spec.count_arg) {
      Sema::ContextRAII at_file_scope(sema_, ctx_.getTranslationUnitDecl());
      ExprResult product = sema_.CreateBuiltinBinOp(loc, BO_Mul, as_size(spec.count_arg), size);
      if (product.isInvalid())
        return call;
      size = product.get();
    }
    Expr *block = convertArg(readTemp(value, loc), ctx_.VoidPtrTy);
    if (!block || !size)
      return call;
    Expr *record =
        callEntry(ENTRY_WRAP_RESULT, {block, size, readTemp(site_var, loc)}, loc, rparen);
    if (!record)
      return call;
    stmts.push_back(record);
  }
  Expr *leave = callEntry(ENTRY_WRAP_LEAVE, {readTemp(token, loc)}, loc, rparen);
  if (!leave)
    return call;
  stmts.push_back(leave);
  if (value)
    stmts.push_back(readTemp(value, loc));

#if CLANG_VERSION_MAJOR >= 15
  CompoundStmt *body = CompoundStmt::Create(ctx_, stmts, FPOptionsOverride(), loc, rparen);
#else
  CompoundStmt *body = CompoundStmt::Create(ctx_, stmts, loc, rparen);
#endif
  QualType type = value ? value->getType() : ctx_.VoidTy;
  auto *replacement = new (ctx_) StmtExpr(body, type, loc, rparen, /*TemplateDepth=*/0);
  generated_.insert(replacement);
  report(fields, fn->getName());
  if (!spec.is_free)
    noteReceiver(dest);
  return replacement;
}

} // namespace memscope_plugin
