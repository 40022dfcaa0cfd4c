// lifetimes.h: scope-exit tracking of the local pointer variables that receive tracked blocks.
//
// Each such variable gets an implicit cleanup attribute naming a small generated hook that passes
// its value to memscope_scope_exit. Because code generation shares one cleanup block between all
// the exits of a scope, every statement that leaves the scope (return, break, continue, goto, the
// closing brace) first stores its own exit descriptor with memscope_set_exit; the runtime reads
// it when the hook runs. Assignments to the variable end the ownership of the old value, and
// stores of its value into a field or a global are recorded as handoffs. C only.
#ifndef MEMSCOPE_PLUGIN_LIFETIMES_H
#define MEMSCOPE_PLUGIN_LIFETIMES_H

#include "rewriter.h"

#include "clang/AST/Stmt.h"

#include <utility>

namespace memscope_plugin {

// A position in a body: the blocks that enclose it, outermost first, each with the index of its
// statement that holds the position.
using Path = llvm::SmallVector<std::pair<const clang::CompoundStmt *, unsigned>, 8>;

// The scope of a variable: the statements of its block after the one that declares it.
struct Region {
  const clang::CompoundStmt *block = nullptr;
  unsigned index = 0;
  bool contains(const Path &path) const;
};

class LifetimeRewriter {
public:
  LifetimeRewriter(Sema &sema, const Options &opts, const RuntimeDecls &decls, SiteBuilder &sites);
  // Hooks the receivers declared in fn's body and marks the exits of their scopes.
  void run(FunctionDecl *fn, const Receivers &receivers);

private:
  struct Candidate {
    VarDecl *var;
    Region region;
    const char *skip; // why the variable is not tracked, null when it is
  };
  struct Jump {
    Path from;
    const clang::LabelDecl *label;
  };
  struct Case {
    Path at;
    Path switch_at;
  };
  struct Hook {
    Region region;
    Expr *site; // address of the VARIABLE descriptor
  };
  struct Target {
    bool loop; // a loop (break and continue) or a switch (break)
    unsigned visible;
  };

  // Analysis and hooks (lifetimes.cpp)
  void reset(FunctionDecl *fn);
  void collect(Stmt *s, const clang::CompoundStmt *block, unsigned index);
  void collectDecl(clang::DeclStmt *decls, const clang::CompoundStmt *block, unsigned index);
  const char *unsuitable(const VarDecl *var) const;
  const char *jumpInto(const Region &region) const;
  bool attach(VarDecl *var, const Region &region);
  clang::FunctionDecl *makeHook(VarDecl *var, Expr *site);
  void report(const VarDecl *var, const char *skip) const;

  // Rewriting (exits.cpp)
  Stmt *rewrite(Stmt *s);
  Stmt *rewriteBlock(clang::CompoundStmt *block);
  Stmt *rewriteReturn(clang::ReturnStmt *ret);
  Stmt *rewriteGoto(clang::GotoStmt *jump);
  Expr *rewriteAssign(clang::BinaryOperator *op);
  Stmt *marked(Stmt *s, unsigned flags, SourceLocation at, llvm::StringRef var = llvm::StringRef());
  Expr *mark(unsigned flags, SourceLocation at, llvm::StringRef var);
  bool place(SourceLocation at, SiteFields &fields) const;
  const VarDecl *hookedRef(const Expr *e) const;

  // AST helpers (lifetimes.cpp)
  Expr *call(Entry entry, llvm::ArrayRef<Expr *> args, SourceLocation loc);
  Expr *read(clang::ValueDecl *var, SourceLocation loc) const;
  Expr *asConstVoidPtr(Expr *e) const;
  Expr *comma(Expr *first, Expr *second) const;

  Sema &sema_;
  ASTContext &ctx_;
  SourceManager &sm_;
  const Options &opts_;
  const RuntimeDecls &decls_;
  SiteBuilder &sites_;
  unsigned hook_counter_ = 0;

  // Per function
  FunctionDecl *fn_ = nullptr;
  const Receivers *receivers_ = nullptr;
  Path path_;
  std::vector<Path> switches_;
  std::vector<std::pair<const clang::LabelDecl *, Path>> labels_;
  llvm::DenseMap<const clang::LabelDecl *, unsigned> label_index_;
  std::vector<Jump> jumps_;
  std::vector<Path> indirect_; // computed gotos and asm gotos: they branch without cleanups
  std::vector<Case> cases_;
  llvm::DenseSet<const clang::LabelDecl *> address_taken_;
  llvm::DenseSet<const Stmt *> stmt_expr_bodies_;
  std::vector<Candidate> candidates_;
  llvm::DenseMap<const VarDecl *, Hook> hooks_;
  std::vector<const VarDecl *> visible_; // hooked variables in scope, outermost first
  std::vector<Target> targets_;          // enclosing loops and switches, innermost last
};

} // namespace memscope_plugin

#endif // MEMSCOPE_PLUGIN_LIFETIMES_H
