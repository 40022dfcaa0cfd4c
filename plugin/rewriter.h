// rewriter.h: the call-site rewriter shared by the walking and the call-building parts.
#ifndef MEMSCOPE_PLUGIN_REWRITER_H
#define MEMSCOPE_PLUGIN_REWRITER_H

#include "plugin.h"

#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Sema/Sema.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace memscope_plugin {

using clang::ASTContext;
using clang::CallExpr;
using clang::DeclContext;
using clang::DeclStmt;
using clang::Expr;
using clang::FunctionDecl;
using clang::InitListExpr;
using clang::QualType;
using clang::Sema;
using clang::SourceLocation;
using clang::SourceManager;
using clang::Stmt;
using clang::VarDecl;

// A C library allocation function. Argument indexes are 0-based, -1 = none.
struct LibcFunction {
  const char *name;
  Entry entry;
  unsigned kind;
  unsigned arity;
  int size_arg;
  int count_arg;
  bool releases;  // free(): names the argument, not a destination
  bool out_param; // posix_memalign(): the destination is *argument 0
};

// Where the value of an expression goes.
struct Dest {
  std::string name; // receiving variable or lvalue, "" if none
  QualType type;    // its type, null if unknown
  unsigned flags = 0;
  VarDecl *var = nullptr; // the receiving variable when it is a local one
};

// The local variables of a body that received a tracked allocation.
using Receivers = llvm::SmallPtrSet<VarDecl *, 8>;

// A compound statement from its parts (the signature differs across clang majors); 'like' is
// the block it replaces, whose floating-point pragma state it keeps.
inline clang::CompoundStmt *makeCompound(ASTContext &ctx, llvm::ArrayRef<Stmt *> stmts,
                                         SourceLocation lbrace, SourceLocation rbrace,
                                         const clang::CompoundStmt *like = nullptr) {
#if CLANG_VERSION_MAJOR >= 15
  clang::FPOptionsOverride fp;
  if (like && like->hasStoredFPFeatures())
    fp = like->getStoredFPFeatures();
  return clang::CompoundStmt::Create(ctx, stmts, fp, lbrace, rbrace);
#else
  (void)like;
  return clang::CompoundStmt::Create(ctx, stmts, lbrace, rbrace);
#endif
}

inline QualType pointeeOf(QualType type) {
  if (type.isNull())
    return QualType();
  if (const auto *ptr = type->getAs<clang::PointerType>())
    return ptr->getPointeeType();
  return QualType();
}

// Rewrites the allocation calls of one body at a time. Knows where each value flows (Dest),
// names the site, and replaces the call node in its parent.
class CallRewriter {
public:
  CallRewriter(Sema &sema, const Options &opts, const RuntimeDecls &decls, SiteBuilder &sites)
      : sema_(sema), ctx_(sema.getASTContext()), sm_(ctx_.getSourceManager()),
        opts_(opts), decls_(decls), sites_(sites) {}

  void rewriteBody(FunctionDecl *fn);
  void rewriteInit(VarDecl *var);
  // The local variables that received a tracked allocation in the last body rewritten.
  const Receivers &receivers() const { return receivers_; }

private:
  Stmt *visit(Stmt *s, const Dest *dest);
  void visitChildren(Stmt *s, const Dest *dest);
  void visitDeclStmt(DeclStmt *decls);
  void visitInitList(InitListExpr *list, const Dest *dest);
  void visitNested(Stmt *body, DeclContext *context, QualType return_type);
  Expr *visitCall(CallExpr *call, const Dest *dest);
  Expr *rewriteLibc(CallExpr *call, const LibcFunction &lib, const Dest *dest);
  Expr *rewriteWrapper(CallExpr *call, FunctionDecl *fn, const WrapperSpec &spec,
                       const Dest *dest);

  const LibcFunction *libcFunction(const FunctionDecl *fn) const;
  bool locate(CallExpr *call, SiteFields &fields, SourceLocation &loc) const;
  void nameDestination(const Dest *dest, SiteFields &fields) const;
  void nameReleased(const Expr *arg, SiteFields &fields) const;
  void nameOutParam(const Expr *arg, SiteFields &fields) const;
  void nameSize(const Expr *size, bool counted, SiteFields &fields) const;
  Expr *convertArg(Expr *arg, QualType to) const;
  Expr *callEntry(Entry entry, llvm::ArrayRef<Expr *> args, SourceLocation loc,
                  SourceLocation rparen);
  VarDecl *makeTemp(llvm::StringRef name, QualType type, Expr *init, SourceLocation loc,
                    llvm::SmallVectorImpl<Stmt *> &stmts);
  Expr *readTemp(VarDecl *var, SourceLocation loc) const;
  void report(const SiteFields &fields, llvm::StringRef callee) const;
  void noteReceiver(const Dest *dest);
  void noteOutParam(const Expr *arg);

  Sema &sema_;
  ASTContext &ctx_;
  SourceManager &sm_;
  const Options &opts_;
  const RuntimeDecls &decls_;
  SiteBuilder &sites_;

  const clang::Decl *site_fn_ = nullptr;     // the function sites are named after
  DeclContext *local_ctx_ = nullptr;   // where temporaries live; null at namespace scope
  QualType return_type_;               // of the innermost function, block or lambda
  llvm::DenseSet<const Stmt *> generated_;
  Receivers receivers_;
};

} // namespace memscope_plugin

#endif // MEMSCOPE_PLUGIN_REWRITER_H
