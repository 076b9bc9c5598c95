// A driver package's INF file, read as Windows's SetupAPI reads it: the
// sections and their lines, each line an optional key and comma-separated
// fields, with %strkey% tokens replaced from the [Strings] sections. Driver
// listing (get-driver-info on an .inf) and the driver package reader
// (driver_package.h) build on it.
//
// The syntax handled, as SetupAPI has it:
//  - `[section]` headers; names compare case-insensitively, and a section
//    that appears twice is one section (its lines in order);
//  - `;` starts a comment, except inside double quotes;
//  - a line ending in `\` (outside quotes, before any comment) continues on
//    the next line;
//  - `key = field, field, ...`; a line without `=` is fields only;
//    whitespace around keys and fields is dropped;
//  - `"..."` quotes a part of a field (`""` is one `"` inside quotes): its
//    commas, semicolons, `=` and `%` are plain text;
//  - `%strkey%` outside quotes is replaced by the string `strkey` of the
//    language's [Strings.<LANGID>] section (e.g. [Strings.0409]), else of
//    the primary language's ([Strings.0009]), else of [Strings]; `%%` is one
//    `%`. Numeric tokens such as `%12%` (directory ids) stay as written.
// Text is UTF-8, or UTF-16LE with its byte-order mark (converted); a UTF-8
// byte-order mark is dropped.
//
// Errors are Error(ERROR_GENERAL_SYNTAX or ERROR_BAD_SECTION_NAME_LINE, the
// codes SetupAPI gives) naming the file and line: an unclosed quote or
// section name, a line before the first section, a %strkey% no [Strings]
// section defines (SetupAPI would leave the token in the text, where it
// would end up in the registry: dismake refuses it instead).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dismake {

// One line of a section after quoting, continuation and substitution.
struct InfLine {
  std::string key;                  // "" when the line has no '='
  std::vector<std::string> fields;  // the values after '=' (or the whole line)
  int line_number = 0;              // of the line's first physical line, 1-based
};

class InfFile {
 public:
  // Reads the INF at `path`; `language` is the LANGID (4 hex digits) whose
  // [Strings.<LANGID>] wins, en-US by default as on an en-US Windows.
  // Throws Error(ERROR_FILE_NOT_FOUND) when it cannot be read, and the
  // syntax errors above.
  static InfFile load(const std::filesystem::path& path, const std::string& language = "0409");
  // Parses INF text; `file_name` names it in errors.
  static InfFile parse(std::string_view text, const std::string& file_name,
                       const std::string& language = "0409");

  const std::string& file_name() const { return file_name_; }

  // The lines of section `name` (any case), or nullptr when the INF has none.
  const std::vector<InfLine>* section(std::string_view name) const;
  // The first field of the first line with key `key` (any case) in
  // `section_name`; nullopt when the section or key is missing or the line
  // has no field.
  std::optional<std::string> value(std::string_view section_name, std::string_view key) const;
  // Every line with key `key` in the section (e.g. several CopyFiles).
  std::vector<const InfLine*> lines_with_key(std::string_view section_name,
                                             std::string_view key) const;
  // The string `key` as substitution resolves it; nullopt when undefined.
  std::optional<std::string> string(std::string_view key) const;
  // Every string with the language applied: (key as first spelt, value),
  // sorted by folded key.
  std::vector<std::pair<std::string, std::string>> strings() const;
  // The names of all sections, as first spelt, in the order they appear.
  const std::vector<std::string>& section_names() const { return section_order_; }

  // An Error naming this file and `line_number`: "<file>, line <n>: <what>".
  [[noreturn]] void fail(int line_number, const std::string& what,
                         const std::string& hint = "") const;

 private:
  std::string file_name_;
  std::map<std::string, std::vector<InfLine>> sections_;  // by folded name
  std::vector<std::string> section_order_;
  std::map<std::string, std::string> strings_;          // by folded key, language applied
  std::map<std::string, std::string> string_spelling_;  // folded key → key as written
};

}  // namespace dismake
