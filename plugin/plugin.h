// plugin.h: declarations shared by the parts of the memscope Clang plugin.
#ifndef MEMSCOPE_PLUGIN_H
#define MEMSCOPE_PLUGIN_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/Version.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Regex.h"

#include <memory>
#include <string>
#include <vector>

namespace clang {
class CompilerInstance;
class Sema;
} // namespace clang

namespace memscope_plugin {

// ---------------------------------------------------------------------------------------------
// Options (options.cpp)
// ---------------------------------------------------------------------------------------------

// A project function declared with alloc= or free=. Argument numbers are 1-based, 0 = none.
struct WrapperSpec {
  std::string name;
  bool is_free = false;
  unsigned size_arg = 0;
  unsigned count_arg = 0;
  unsigned ptr_arg = 0;
};

// sample=REGEX:all|never: a per-site sampling rule, matched on the file path or the function.
struct SampleRule {
  std::unique_ptr<llvm::Regex> pattern;
  unsigned flag; // MEMSCOPE_SITE_SAMPLE_ALL or MEMSCOPE_SITE_SAMPLE_NEVER
};

struct Options {
  std::vector<std::unique_ptr<llvm::Regex>> include;
  std::vector<SampleRule> sample_rules; // first match wins
  std::vector<std::unique_ptr<llvm::Regex>> exclude;
  llvm::StringMap<WrapperSpec> wrappers;
  bool verbose = false;
  bool lifetimes = true; // scope-exit hooks on local pointer variables (lifetimes=off)

  // True when a site in 'file' is to be rewritten.
  bool wantsFile(llvm::StringRef file) const;
  // The MEMSCOPE_SITE_SAMPLE_* flag of the first sample= rule matching file or function, or 0.
  unsigned sampleFlags(llvm::StringRef file, llvm::StringRef function) const;
};

// Parses the plugin arguments (KEY=VALUE). Reports unknown keys as warnings and malformed values
// as errors through 'diags'; returns false when an error was reported.
bool parseOptions(const std::vector<std::string> &args, clang::DiagnosticsEngine &diags,
                  Options &out);

// ---------------------------------------------------------------------------------------------
// Naming of types, destinations and size expressions (naming.cpp)
// ---------------------------------------------------------------------------------------------

// A type as a C programmer writes it: "struct node", "char *", "double[4]".
std::string typeName(clang::QualType type, const clang::ASTContext &ctx);
// An lvalue as written: "p", "h->buf", "arr[i]".
std::string exprText(const clang::Expr *expr, const clang::ASTContext &ctx);
// The name of the function a site is in ("" at file scope).
std::string functionName(const clang::Decl *fn);

// What the size expression of an allocation says about its elements.
struct SizeInfo {
  clang::QualType sizeof_type; // the type named by sizeof, null if none
  bool counted = false;        // the size is count * sizeof(T)
};
SizeInfo analyseSize(const clang::Expr *size, const clang::ASTContext &ctx);
// sizeof(type) in bytes, or 0 when it has no constant size.
unsigned long long typeSize(clang::QualType type, const clang::ASTContext &ctx);

// ---------------------------------------------------------------------------------------------
// Runtime entry points and site descriptors (sites.cpp)
// ---------------------------------------------------------------------------------------------

enum Entry {
  ENTRY_MALLOC,
  ENTRY_CALLOC,
  ENTRY_REALLOC,
  ENTRY_FREE,
  ENTRY_STRDUP,
  ENTRY_STRNDUP,
  ENTRY_ALIGNED_ALLOC,
  ENTRY_POSIX_MEMALIGN,
  ENTRY_REALLOCARRAY,
  ENTRY_WRAP_ENTER,
  ENTRY_WRAP_LEAVE,
  ENTRY_WRAP_RESULT,
  ENTRY_WRAP_FREE,
  ENTRY_SCOPE_EXIT,
  ENTRY_SET_EXIT,
  ENTRY_HANDOFF,
  ENTRY_COUNT_
};

// The declarations of the embedded entry header, collected as the parser hands them over.
struct RuntimeDecls {
  clang::FunctionDecl *entry[ENTRY_COUNT_] = {};
  clang::RecordDecl *site_record = nullptr;

  // Records 'decl' if it is one of the embedded declarations.
  void collect(clang::Decl *decl, const clang::SourceManager &sm);
  bool complete() const;
};

// The text of the embedded header and the name of its buffer.
extern const char kEntryHeader[];
extern const char kEntryBufferName[];

// All the fields of one memscope_site.
struct SiteFields {
  unsigned kind = 0;
  unsigned flags = 0;
  unsigned line = 0;
  unsigned column = 0;
  std::string file;
  std::string function;
  std::string type_name;
  std::string sizeof_type;
  std::string var_name;
  unsigned long long elem_size = 0;
};

// Builds the address of a constant descriptor: a file-scope compound literal in C, an internal
// static variable in C++ (which the caller hands to code generation, see takeNewDecls).
class SiteBuilder {
public:
  SiteBuilder(clang::Sema &sema, const RuntimeDecls &decls, const Options &opts);
  clang::Expr *build(const SiteFields &fields, clang::SourceLocation loc);
  // A declaration made by the plugin at file scope, for code generation to emit.
  void addTopLevel(clang::Decl *decl);
  // The declarations made since the last call: C++ descriptor variables, scope-exit hooks.
  std::vector<clang::Decl *> takeNewDecls();
  bool isOwnDecl(const clang::Decl *decl) const { return own_decls_.count(decl) != 0; }

private:
  clang::Expr *stringLit(llvm::StringRef text, clang::SourceLocation loc);
  clang::Expr *uintLit(unsigned long long value, clang::QualType type, clang::SourceLocation loc);

  const Options &opts_;
  clang::Sema &sema_;
  const RuntimeDecls &decls_;
  unsigned counter_ = 0;
  std::vector<clang::Decl *> new_decls_;
  llvm::DenseSet<const clang::Decl *> own_decls_;
};

// ---------------------------------------------------------------------------------------------
// The rewriter (rewriter.cpp)
// ---------------------------------------------------------------------------------------------

class CallRewriter;
class LifetimeRewriter;

class BodyRewriter {
public:
  BodyRewriter(clang::CompilerInstance &ci, clang::Sema &sema, const Options &opts,
               const RuntimeDecls &decls, SiteBuilder &sites);
  ~BodyRewriter();
  // Rewrites the allocation calls in a function definition's body, once per function.
  void rewriteFunction(clang::FunctionDecl *fn);
  // Rewrites the initializer of a namespace-scope variable (C++ dynamic initialization).
  void rewriteGlobalInit(clang::VarDecl *var);

private:
  std::unique_ptr<CallRewriter> impl_;
  std::unique_ptr<LifetimeRewriter> lifetimes_; // null when lifetimes=off or not C
  llvm::DenseSet<const clang::FunctionDecl *> done_;
};

// Compatibility helpers across the supported clang majors.
#if CLANG_VERSION_MAJOR >= 17
#define MEMSCOPE_ORDINARY_STRING clang::StringLiteralKind::Ordinary
#elif CLANG_VERSION_MAJOR >= 15
#define MEMSCOPE_ORDINARY_STRING clang::StringLiteral::Ordinary
#else
#define MEMSCOPE_ORDINARY_STRING clang::StringLiteral::Ascii
#endif

} // namespace memscope_plugin

#endif // MEMSCOPE_PLUGIN_H
