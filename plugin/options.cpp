// options.cpp: parsing of the memscope plugin arguments (-fplugin-arg-memscope-KEY=VALUE).
// Keys: verbose[=0|1], include=REGEX, exclude=REGEX, alloc=NAME:size=N[,count=N],
// free=NAME:ptr=N, lifetimes=on|off (scope-exit tracking of local pointer variables, default on),
// sample=REGEX:all|never (per-site sampling rule, on the file path or the function).
#include "plugin.h"

#include "memscope.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

using namespace clang;

namespace memscope_plugin {

namespace {

const char kAllocSyntax[] = "alloc=NAME:size=ARGNO[,count=ARGNO]";
const char kFreeSyntax[] = "free=NAME:ptr=ARGNO";

bool isIdentifier(llvm::StringRef name) {
  if (name.empty() || !(llvm::isAlpha(name[0]) || name[0] == '_'))
    return false;
  for (char c : name)
    if (!(llvm::isAlnum(c) || c == '_'))
      return false;
  return true;
}

// A 1-based argument number no larger than 64.
bool parseArgNo(llvm::StringRef text, unsigned &out) {
  unsigned value = 0;
  if (text.empty() || text.getAsInteger(10, value) || value < 1 || value > 64)
    return false;
  out = value;
  return true;
}

// Parses "NAME:key=N[,key=N]" for alloc= (is_free false) or free= (is_free true).
bool parseWrapper(llvm::StringRef value, bool is_free, WrapperSpec &spec) {
  auto [name, fields] = value.split(':');
  name = name.trim();
  if (!isIdentifier(name) || fields.empty())
    return false;
  spec.name = name.str();
  spec.is_free = is_free;
  llvm::SmallVector<llvm::StringRef, 4> parts;
  fields.split(parts, ',');
  for (llvm::StringRef part : parts) {
    auto [key, number] = part.trim().split('=');
    unsigned *slot = nullptr;
    if (!is_free && key == "size")
      slot = &spec.size_arg;
    else if (!is_free && key == "count")
      slot = &spec.count_arg;
    else if (is_free && key == "ptr")
      slot = &spec.ptr_arg;
    if (!slot || *slot != 0 || !parseArgNo(number.trim(), *slot))
      return false;
  }
  if (is_free)
    return spec.ptr_arg != 0;
  return spec.size_arg != 0 && spec.count_arg != spec.size_arg;
}

// "1", "yes", "on" -> true; "0", "no", "off" -> false; anything else is malformed.
bool parseSwitch(llvm::StringRef value, bool &out) {
  if (value == "1" || value == "yes" || value == "on") {
    out = true;
    return true;
  }
  if (value == "0" || value == "no" || value == "off") {
    out = false;
    return true;
  }
  return false;
}

bool addRegex(llvm::StringRef key, llvm::StringRef value, DiagnosticsEngine &diags,
              std::vector<std::unique_ptr<llvm::Regex>> &list) {
  auto re = std::make_unique<llvm::Regex>(value);
  std::string error;
  if (value.empty() || !re->isValid(error)) {
    if (error.empty())
      error = "empty pattern";
    unsigned id = diags.getCustomDiagID(DiagnosticsEngine::Error,
                                        "memscope: invalid regular expression in plugin "
                                        "option '%0=%1': %2");
    diags.Report(id) << key << value << error;
    return false;
  }
  list.push_back(std::move(re));
  return true;
}

} // namespace

bool Options::wantsFile(llvm::StringRef file) const {
  if (!include.empty()) {
    bool matched = false;
    for (const auto &re : include)
      if (re->match(file)) {
        matched = true;
        break;
      }
    if (!matched)
      return false;
  }
  for (const auto &re : exclude)
    if (re->match(file))
      return false;
  return true;
}

unsigned Options::sampleFlags(llvm::StringRef file, llvm::StringRef function) const {
  for (const SampleRule &rule : sample_rules)
    if (rule.pattern->match(file) || (!function.empty() && rule.pattern->match(function)))
      return rule.flag;
  return 0;
}

bool parseOptions(const std::vector<std::string> &args, DiagnosticsEngine &diags, Options &out) {
  bool ok = true;
  for (const std::string &arg : args) {
    auto [key, value] = llvm::StringRef(arg).split('=');
    bool has_value = llvm::StringRef(arg).contains('=');
    if (key == "verbose") {
      if (!has_value) {
        out.verbose = true;
      } else if (!parseSwitch(value, out.verbose)) {
        unsigned id = diags.getCustomDiagID(
            DiagnosticsEngine::Error, "memscope: malformed plugin option '%0': expected verbose, "
                                      "verbose=1 or verbose=0");
        diags.Report(id) << arg;
        ok = false;
      }
    } else if (key == "lifetimes") {
      if (!has_value || !parseSwitch(value, out.lifetimes)) {
        unsigned id = diags.getCustomDiagID(
            DiagnosticsEngine::Error,
            "memscope: malformed plugin option '%0': expected lifetimes=on or lifetimes=off");
        diags.Report(id) << arg;
        ok = false;
      }
    } else if (key == "sample" && has_value) {
      // REGEX:MODE, split at the last ':' (the pattern may hold colons)
      auto [pattern, mode] = value.rsplit(':');
      unsigned flag = mode == "all"     ? MEMSCOPE_SITE_SAMPLE_ALL
                      : mode == "never" ? MEMSCOPE_SITE_SAMPLE_NEVER
                                        : 0;
      std::vector<std::unique_ptr<llvm::Regex>> one;
      if (flag == 0 || pattern.empty() || !value.contains(':')) {
        unsigned id = diags.getCustomDiagID(
            DiagnosticsEngine::Error,
            "memscope: malformed plugin option '%0': expected sample=REGEX:all or sample=REGEX:never");
        diags.Report(id) << arg;
        ok = false;
      } else if (addRegex(key, pattern, diags, one)) {
        out.sample_rules.push_back(SampleRule{std::move(one.front()), flag});
      } else {
        ok = false;
      }
    } else if (key == "include" && has_value) {
      ok &= addRegex(key, value, diags, out.include);
    } else if (key == "exclude" && has_value) {
      ok &= addRegex(key, value, diags, out.exclude);
    } else if ((key == "alloc" || key == "free") && has_value) {
      bool is_free = key == "free";
      WrapperSpec spec;
      if (!parseWrapper(value, is_free, spec)) {
        unsigned id = diags.getCustomDiagID(DiagnosticsEngine::Error,
                                            "memscope: malformed plugin option '%0': expected %1");
        diags.Report(id) << arg << (is_free ? kFreeSyntax : kAllocSyntax);
        ok = false;
        continue;
      }
      std::string name = spec.name;
      out.wrappers[name] = std::move(spec);
    } else if (key == "include" || key == "exclude" || key == "alloc" || key == "free") {
      unsigned id = diags.getCustomDiagID(DiagnosticsEngine::Error,
                                          "memscope: plugin option '%0' needs a value (%0=...)");
      diags.Report(id) << key;
      ok = false;
    } else {
      unsigned id = diags.getCustomDiagID(DiagnosticsEngine::Warning,
                                          "memscope: unknown plugin option '%0' ignored");
      diags.Report(id) << key;
    }
  }
  return ok;
}

} // namespace memscope_plugin
