// exits.cpp: marks every exit from the scope of a hooked variable, its assignments and handoffs.
#include "lifetimes.h"

#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Sema/Sema.h"

#include "memscope.h"

using namespace clang;

namespace memscope_plugin {

namespace {

// False when s certainly does not complete normally (it jumps, or calls a noreturn function).
bool fallsThrough(const Stmt *s) {
  while (s) {
    if (const auto *label = dyn_cast<LabelStmt>(s))
      s = label->getSubStmt();
    else if (const auto *sc = dyn_cast<SwitchCase>(s))
      s = sc->getSubStmt();
    else if (const auto *attributed = dyn_cast<AttributedStmt>(s))
      s = attributed->getSubStmt();
    else
      break;
  }
  if (!s)
    return true;
  if (isa<ReturnStmt, BreakStmt, ContinueStmt, GotoStmt, IndirectGotoStmt>(s))
    return false;
  if (const auto *block = dyn_cast<CompoundStmt>(s))
    return block->body_empty() || fallsThrough(block->body_back());
  if (const auto *branch = dyn_cast<IfStmt>(s))
    return !branch->getElse() || fallsThrough(branch->getThen()) ||
           fallsThrough(branch->getElse());
  if (const auto *e = dyn_cast<Expr>(s)) {
    if (const auto *call = dyn_cast<CallExpr>(e->IgnoreParenImpCasts()))
      if (const FunctionDecl *fn = call->getDirectCallee(); fn && fn->isNoReturn())
        return false;
  }
  return true;
}

// The callee of a direct call, or null.
const FunctionDecl *calleeOf(const Expr *e) {
  const auto *call = dyn_cast<CallExpr>(e->IgnoreParenCasts());
  return call ? call->getDirectCallee() : nullptr;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Exit descriptors
// ---------------------------------------------------------------------------------------------

bool LifetimeRewriter::place(SourceLocation at, SiteFields &fields) const {
  if (at.isInvalid())
    return false;
  PresumedLoc where = sm_.getPresumedLoc(sm_.getFileLoc(at));
  if (where.isInvalid())
    return false;
  fields.file = where.getFilename();
  fields.line = where.getLine();
  fields.column = where.getColumn();
  fields.function = functionName(fn_);
  return true;
}

// memscope_set_exit(&EXIT) for an exit at 'at'; var names the variable a return hands over.
Expr *LifetimeRewriter::mark(unsigned flags, SourceLocation at, llvm::StringRef var) {
  SiteFields fields;
  if (!place(at, fields))
    return nullptr;
  fields.kind = MEMSCOPE_KIND_EXIT;
  fields.flags = flags;
  fields.var_name = var.str();
  Expr *site = sites_.build(fields, at);
  return site ? call(ENTRY_SET_EXIT, {site}, at) : nullptr;
}

// { memscope_set_exit(&EXIT); s }
Stmt *LifetimeRewriter::marked(Stmt *s, unsigned flags, SourceLocation at, llvm::StringRef var) {
  Expr *set = mark(flags, at, var);
  if (!set)
    return s;
  return makeCompound(ctx_, {set, s}, at, at);
}

const VarDecl *LifetimeRewriter::hookedRef(const Expr *e) const {
  const auto *ref = dyn_cast<DeclRefExpr>(e->IgnoreParenCasts());
  const auto *var = ref ? dyn_cast<VarDecl>(ref->getDecl()) : nullptr;
  return var && hooks_.count(var) ? var : nullptr;
}

// ---------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------

Stmt *LifetimeRewriter::rewrite(Stmt *s) {
  if (!s)
    return s;
  // Unevaluated operands, shared subexpressions and separate bodies.
  if (isa<UnaryExprOrTypeTraitExpr, OpaqueValueExpr, PseudoObjectExpr, BlockExpr, OffsetOfExpr,
          ConstantExpr, TypeTraitExpr>(s))
    return s;
  if (auto *block = dyn_cast<CompoundStmt>(s))
    return rewriteBlock(block);
  if (auto *decls = dyn_cast<DeclStmt>(s)) {
    for (Decl *decl : decls->decls()) {
      auto *var = dyn_cast<VarDecl>(decl);
      if (!var || !var->getInit())
        continue;
      Expr *init = var->getInit();
      Stmt *replaced = rewrite(init);
      if (replaced != init)
        var->setInit(cast<Expr>(replaced));
    }
    for (Decl *decl : decls->decls())
      if (auto *var = dyn_cast<VarDecl>(decl); var && hooks_.count(var))
        visible_.push_back(var);
    return s;
  }
  if (auto *ret = dyn_cast<ReturnStmt>(s))
    return rewriteReturn(ret);
  if (auto *brk = dyn_cast<BreakStmt>(s)) {
    if (!targets_.empty() && visible_.size() > targets_.back().visible)
      return marked(s, MEMSCOPE_SITE_EXIT_BREAK, brk->getBreakLoc());
    return s;
  }
  if (auto *cont = dyn_cast<ContinueStmt>(s)) {
    for (auto it = targets_.rbegin(); it != targets_.rend(); ++it)
      if (it->loop) {
        if (visible_.size() > it->visible)
          return marked(s, MEMSCOPE_SITE_EXIT_CONT, cont->getContinueLoc());
        break;
      }
    return s;
  }
  if (auto *jump = dyn_cast<GotoStmt>(s))
    return rewriteGoto(jump);
  if (isa<WhileStmt, DoStmt, ForStmt, SwitchStmt>(s)) {
    targets_.push_back(Target{!isa<SwitchStmt>(s), unsigned(visible_.size())});
    for (Stmt *&child : s->children())
      child = rewrite(child);
    targets_.pop_back();
    return s;
  }
  if (auto *op = dyn_cast<BinaryOperator>(s); op && op->getOpcode() == BO_Assign) {
    op->setLHS(cast<Expr>(rewrite(op->getLHS())));
    op->setRHS(cast<Expr>(rewrite(op->getRHS())));
    return rewriteAssign(op);
  }
  if (auto *choose = dyn_cast<ChooseExpr>(s)) {
    Expr *chosen = choose->isConditionDependent() ? nullptr : choose->getChosenSubExpr();
    for (Stmt *&child : choose->children())
      if (child == chosen)
        child = rewrite(child);
    return s;
  }
  if (auto *generic = dyn_cast<GenericSelectionExpr>(s)) {
    Expr *result = generic->isResultDependent() ? nullptr : generic->getResultExpr();
    for (Stmt *&child : generic->children())
      if (child == result)
        child = rewrite(child);
    return s;
  }
  for (Stmt *&child : s->children())
    child = rewrite(child);
  return s;
}

// A block that declares hooked variables marks its closing brace when control can reach it.
Stmt *LifetimeRewriter::rewriteBlock(CompoundStmt *block) {
  size_t outer = visible_.size();
  for (Stmt *&child : block->body())
    child = rewrite(child);
  bool owns = visible_.size() > outer;
  visible_.resize(outer);
  if (!owns || !fallsThrough(block))
    return block;
  Expr *set = mark(MEMSCOPE_SITE_EXIT_END, block->getRBracLoc(), llvm::StringRef());
  if (!set)
    return block;
  llvm::SmallVector<Stmt *, 16> stmts(block->body_begin(), block->body_end());
  stmts.push_back(set);
  return makeCompound(ctx_, stmts, block->getLBracLoc(), block->getRBracLoc(), block);
}

// The return value is computed before the exit is marked: it may run code that leaves scopes
// of its own. { T __memscope_ret = value; memscope_set_exit(&EXIT); return __memscope_ret; }
Stmt *LifetimeRewriter::rewriteReturn(ReturnStmt *ret) {
  Expr *value = ret->getRetValue();
  if (value) {
    Stmt *replaced = rewrite(value);
    if (replaced != value)
      ret->setRetValue(value = cast<Expr>(replaced));
  }
  if (visible_.empty())
    return ret;
  llvm::StringRef handed;
  if (value)
    if (const VarDecl *var = hookedRef(value))
      handed = var->getName();
  SourceLocation loc = ret->getReturnLoc();
  Expr *set = mark(MEMSCOPE_SITE_EXIT_RETURN, loc, handed);
  if (!set)
    return ret;
  llvm::SmallVector<Stmt *, 3> stmts;
  if (value && value->HasSideEffects(ctx_)) {
    QualType type = value->getType().getUnqualifiedType();
    if (type->isVoidType()) {
      stmts.push_back(value);
      ret->setRetValue(nullptr);
    } else {
      VarDecl *tmp = VarDecl::Create(ctx_, fn_, loc, loc, &ctx_.Idents.get("__memscope_ret"), type,
                                     ctx_.getTrivialTypeSourceInfo(type, loc), SC_None);
      tmp->setImplicit();
      tmp->setReferenced();
      tmp->markUsed(ctx_);
      tmp->setInit(value);
      stmts.push_back(new (ctx_) DeclStmt(DeclGroupRef(tmp), loc, loc));
      ret->setRetValue(read(tmp, loc));
    }
  }
  stmts.push_back(set);
  stmts.push_back(ret);
  return makeCompound(ctx_, stmts, loc, loc);
}

// A goto leaves a hooked variable's scope when its label is outside that scope.
Stmt *LifetimeRewriter::rewriteGoto(GotoStmt *jump) {
  auto found = label_index_.find(jump->getLabel());
  for (const VarDecl *var : visible_) {
    if (found != label_index_.end() &&
        hooks_.find(var)->second.region.contains(labels_[found->second].second))
      continue;
    return marked(jump, MEMSCOPE_SITE_EXIT_GOTO, jump->getGotoLoc());
  }
  return jump;
}

// p = v: the old value of a hooked p loses its owner first:
//   (memscope_set_exit(&ASSIGN), memscope_scope_exit(p, &VARIABLE), p = v)
// dest = p with p hooked and dest a field, an element, *ptr or a global:
//   (memscope_handoff(p, &HANDOFF), dest = p)
Expr *LifetimeRewriter::rewriteAssign(BinaryOperator *op) {
  SourceLocation loc = op->getBeginLoc();
  const VarDecl *var = hookedRef(op->getLHS());
  if (var && isa<DeclRefExpr>(op->getLHS()->IgnoreParens())) {
    // p = realloc(p, n) keeps the block's history: the runtime moves it with the block.
    if (const FunctionDecl *fn = calleeOf(op->getRHS())) {
      const auto *call = cast<CallExpr>(op->getRHS()->IgnoreParenCasts());
      bool resize = fn == decls_.entry[ENTRY_REALLOC] || fn == decls_.entry[ENTRY_REALLOCARRAY] ||
                    (fn->getIdentifier() &&
                     (fn->getName() == "realloc" || fn->getName() == "reallocarray"));
      if (resize && call->getNumArgs() > 0 && hookedRef(call->getArg(0)) == var)
        return op;
    }
    Expr *set = mark(MEMSCOPE_SITE_EXIT_ASSIGN, loc, llvm::StringRef());
    Expr *old = asConstVoidPtr(read(const_cast<VarDecl *>(var), loc));
    Expr *drop = set && old ? call(ENTRY_SCOPE_EXIT, {old, hooks_.find(var)->second.site}, loc)
                            : nullptr;
    if (!drop)
      return op;
    return comma(comma(set, drop), op);
  }
  const VarDecl *stored = hookedRef(op->getRHS());
  if (!stored)
    return op;
  const Expr *dest = op->getLHS()->IgnoreParenImpCasts();
  unsigned flags = 0;
  if (isa<MemberExpr, ArraySubscriptExpr>(dest)) {
    flags = MEMSCOPE_SITE_FIELD;
  } else if (const auto *deref = dyn_cast<UnaryOperator>(dest);
             deref && deref->getOpcode() == UO_Deref) {
    flags = MEMSCOPE_SITE_FIELD;
  } else if (const auto *ref = dyn_cast<DeclRefExpr>(dest)) {
    const auto *global = dyn_cast<VarDecl>(ref->getDecl());
    if (!global || !global->hasGlobalStorage())
      return op; // a copy into another local is not followed
  } else {
    return op;
  }
  SiteFields fields;
  if (!place(loc, fields))
    return op;
  fields.kind = MEMSCOPE_KIND_HANDOFF;
  fields.flags = flags;
  fields.type_name = typeName(pointeeOf(stored->getType()), ctx_);
  fields.var_name = exprText(dest, ctx_);
  Expr *site = sites_.build(fields, loc);
  Expr *value = asConstVoidPtr(read(const_cast<VarDecl *>(stored), loc));
  Expr *handoff = site && value ? call(ENTRY_HANDOFF, {value, site}, loc) : nullptr;
  return handoff ? comma(handoff, op) : op;
}

} // namespace memscope_plugin
