#include "dismake/base/depfile.h"

#include <string>

#include "dismake/base/files.h"

namespace dismake {

namespace {

std::string escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#' || c == '\\') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

}  // namespace

void write_depfile(const std::filesystem::path& depfile, const std::filesystem::path& target,
                   const std::vector<std::filesystem::path>& dependencies) {
  std::string text = escape(target.string()) + ":";
  for (const std::filesystem::path& dependency : dependencies)
    text += " \\\n  " + escape(dependency.string());
  write_file_atomic(depfile, text + "\n");
}

}  // namespace dismake
