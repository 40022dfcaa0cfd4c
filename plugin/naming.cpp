// naming.cpp: how the plugin names types, destinations, functions and size expressions of sites.
#include "plugin.h"

#include "clang/AST/PrettyPrinter.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace memscope_plugin {

namespace {

PrintingPolicy sitePolicy(const ASTContext &ctx) {
  PrintingPolicy policy(ctx.getLangOpts());
  policy.AnonymousTagLocations = false;
  policy.SuppressImplicitBase = true;
  policy.SuppressUnwrittenScope = true;
  policy.Indentation = 0;
  return policy;
}

// The type a sizeof expression names, or null when 'e' is not sizeof.
QualType sizeofOperand(const Expr *e) {
  const auto *op = dyn_cast<UnaryExprOrTypeTraitExpr>(e->IgnoreParenCasts());
  if (!op || op->getKind() != UETT_SizeOf)
    return QualType();
  if (op->isArgumentType())
    return op->getArgumentType();
  return op->getArgumentExpr()->IgnoreParens()->getType();
}

// The sizeof among the factors of a product chain a * b * c, or null.
QualType sizeofFactor(const Expr *e) {
  e = e->IgnoreParenCasts();
  const auto *mul = dyn_cast<BinaryOperator>(e);
  if (!mul || mul->getOpcode() != BO_Mul)
    return sizeofOperand(e);
  QualType left = sizeofFactor(mul->getLHS());
  if (!left.isNull())
    return left;
  return sizeofFactor(mul->getRHS());
}

// The first sizeof in evaluation order of the operands, not looking inside other sizeofs.
QualType firstSizeof(const Stmt *s) {
  if (!s)
    return QualType();
  if (const auto *e = dyn_cast<Expr>(s)) {
    QualType direct = sizeofOperand(e);
    if (!direct.isNull())
      return direct;
    if (isa<UnaryExprOrTypeTraitExpr>(e))
      return QualType();
  }
  for (const Stmt *child : s->children()) {
    QualType found = firstSizeof(child);
    if (!found.isNull())
      return found;
  }
  return QualType();
}

} // namespace

std::string typeName(QualType type, const ASTContext &ctx) {
  if (type.isNull())
    return std::string();
  return type.getAsString(sitePolicy(ctx));
}

std::string exprText(const Expr *expr, const ASTContext &ctx) {
  if (!expr)
    return std::string();
  std::string text;
  llvm::raw_string_ostream os(text);
  expr->IgnoreParenImpCasts()->printPretty(os, nullptr, sitePolicy(ctx));
  os.flush();
  return text;
}

std::string functionName(const Decl *fn) {
  const auto *named = dyn_cast_or_null<FunctionDecl>(fn);
  if (!named)
    return std::string();
  if (named->getASTContext().getLangOpts().CPlusPlus)
    return named->getQualifiedNameAsString();
  return named->getNameAsString();
}

SizeInfo analyseSize(const Expr *size, const ASTContext &ctx) {
  SizeInfo info;
  if (!size)
    return info;
  const Expr *e = size->IgnoreParenCasts();
  info.sizeof_type = sizeofOperand(e);
  if (!info.sizeof_type.isNull())
    return info;
  if (const auto *mul = dyn_cast<BinaryOperator>(e); mul && mul->getOpcode() == BO_Mul) {
    info.sizeof_type = sizeofFactor(mul);
    if (!info.sizeof_type.isNull()) {
      info.counted = true;
      return info;
    }
  }
  info.sizeof_type = firstSizeof(e);
  return info;
}

unsigned long long typeSize(QualType type, const ASTContext &ctx) {
  if (type.isNull() || type->isDependentType() || type->isIncompleteType() ||
      type->isFunctionType() || !type->isConstantSizeType())
    return 0;
  return static_cast<unsigned long long>(ctx.getTypeSizeInChars(type).getQuantity());
}

} // namespace memscope_plugin
