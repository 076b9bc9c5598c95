#include "dismake/drivers/inf_file.h"

#include <cctype>
#include <cstdio>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/text.h"
#include "dismake/base/utf8.h"

namespace dismake {

namespace {

// A run of a field's text, quoted or not: only unquoted text has %strkey%
// tokens and loses its outer whitespace.
struct Segment {
  std::string text;
  bool quoted = false;
};
using RawField = std::vector<Segment>;

struct RawLine {
  bool has_key = false;
  RawField key;
  std::vector<RawField> fields;
  int line_number = 0;
};

struct RawSection {
  std::string name;
  std::vector<RawLine> lines;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

// Drops the outer whitespace of the field's unquoted ends.
void trim_field(RawField& field) {
  while (!field.empty() && !field.front().quoted) {
    std::string& text = field.front().text;
    size_t start = 0;
    while (start < text.size() && is_blank(text[start])) ++start;
    text.erase(0, start);
    if (!text.empty()) break;
    field.erase(field.begin());
  }
  while (!field.empty() && !field.back().quoted) {
    std::string& text = field.back().text;
    while (!text.empty() && is_blank(text.back())) text.pop_back();
    if (!text.empty()) break;
    field.pop_back();
  }
}

std::string plain_text(const RawField& field) {
  std::string text;
  for (const Segment& segment : field) text += segment.text;
  return text;
}

class Reader {
 public:
  Reader(const InfFile& inf, std::string_view text) : inf_(inf), text_(text) {}

  std::vector<RawSection> read() {
    std::vector<RawSection> sections;
    std::string logical;
    int first_line = 0;
    int number = 0;
    size_t pos = 0;
    while (pos < text_.size() || !logical.empty()) {
      bool at_end = pos >= text_.size();
      std::string_view physical;
      if (!at_end) {
        size_t end = text_.find('\n', pos);
        if (end == std::string_view::npos) end = text_.size();
        physical = text_.substr(pos, end - pos);
        if (!physical.empty() && physical.back() == '\r') physical.remove_suffix(1);
        pos = end + 1;
        ++number;
        if (logical.empty()) first_line = number;
      }
      std::string content = without_comment(physical, number);
      while (!content.empty() && is_blank(content.back())) content.pop_back();
      if (!at_end && !content.empty() && content.back() == '\\') {
        // Continued: the next physical line joins this one.
        content.pop_back();
        logical += content;
        continue;
      }
      logical += content;
      std::string line = std::move(logical);
      logical.clear();
      add_line(sections, line, first_line);
      if (at_end) break;
    }
    return sections;
  }

 private:
  // The line up to its comment; quotes do not span lines.
  std::string without_comment(std::string_view physical, int number) const {
    bool quoted = false;
    for (size_t i = 0; i < physical.size(); ++i) {
      char c = physical[i];
      if (c == '"') quoted = !quoted;  // "" inside quotes toggles twice
      if (c == ';' && !quoted) return std::string(physical.substr(0, i));
    }
    if (quoted) inf_.fail(number, "a quoted string is not closed", "end it with '\"'");
    return std::string(physical);
  }

  void add_line(std::vector<RawSection>& sections, const std::string& line, int number) const {
    size_t first = 0;
    while (first < line.size() && is_blank(line[first])) ++first;
    if (first == line.size()) return;
    if (line[first] == '[') {
      size_t close = line.find(']', first);
      if (close == std::string::npos)
        inf_.fail(number, "the section name '" + line.substr(first) + "' is not closed",
                  "end it with ']'");
      std::string name(trim(std::string_view(line).substr(first + 1, close - first - 1)));
      sections.push_back(RawSection{name, {}});
      return;
    }
    if (sections.empty())
      inf_.fail(number, "a line comes before the first [section]",
                "start the file with a section such as [Version]");
    sections.back().lines.push_back(tokenize(line, number));
  }

  static RawLine tokenize(const std::string& line, int number) {
    RawLine raw;
    raw.line_number = number;
    RawField field;
    bool quoted = false;
    auto add_text = [&](char c, bool in_quotes) {
      if (field.empty() || field.back().quoted != in_quotes) field.push_back({"", in_quotes});
      field.back().text += c;
    };
    auto end_field = [&] {
      trim_field(field);
      raw.fields.push_back(std::move(field));
      field.clear();
    };
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quoted) {
        if (c != '"') {
          add_text(c, true);
        } else if (i + 1 < line.size() && line[i + 1] == '"') {
          add_text('"', true);
          ++i;
        } else {
          quoted = false;
          // An empty quoted string is still a (quoted, empty) part.
          if (field.empty() || !field.back().quoted) field.push_back({"", true});
        }
      } else if (c == '"') {
        quoted = true;
        field.push_back({"", true});
      } else if (c == ',') {
        end_field();
      } else if (c == '=' && !raw.has_key && raw.fields.empty()) {
        trim_field(field);
        raw.key = std::move(field);
        raw.has_key = true;
        field.clear();
      } else {
        add_text(c, false);
      }
    }
    end_field();
    // "key =" has no fields; "a, b," ends with an empty one, kept as SetupAPI does.
    if (raw.has_key && raw.fields.size() == 1 && raw.fields[0].empty()) raw.fields.clear();
    return raw;
  }

  const InfFile& inf_;
  std::string_view text_;
};

// The LANGID of the primary language: the low ten bits (0409 → 0009).
std::string primary_language(const std::string& language) {
  unsigned id = 0;
  if (std::sscanf(language.c_str(), "%x", &id) != 1) return "";
  char text[8];
  std::snprintf(text, sizeof text, "%04x", id & 0x3FFu);
  return text;
}

std::string decode_text(const std::string& bytes, const std::string& file_name) {
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xFE) {
    std::optional<std::string> utf8 = utf16le_to_utf8(std::string_view(bytes).substr(2));
    if (!utf8)
      throw Error(hr::kNoUnicodeTranslation, "'" + file_name + "' is not valid UTF-16LE text",
                  "save the INF as UTF-16LE or UTF-8");
    return *utf8;
  }
  if (bytes.compare(0, 3, "\xEF\xBB\xBF") == 0) return bytes.substr(3);
  return bytes;
}

}  // namespace

InfFile InfFile::load(const std::filesystem::path& path, const std::string& language) {
  std::string bytes;
  try {
    bytes = read_file(path);
  } catch (const Error&) {
    throw Error(hr::kFileNotFound, "cannot read the INF file '" + path.string() + "'",
                "check the path");
  }
  return parse(decode_text(bytes, path.string()), path.string(), language);
}

InfFile InfFile::parse(std::string_view text, const std::string& file_name,
                       const std::string& language) {
  InfFile inf;
  inf.file_name_ = file_name;
  std::vector<RawSection> sections = Reader(inf, text).read();

  // Strings first (they may come last in the file): [Strings], then the
  // primary language's, then the exact language's, each overriding.
  std::vector<std::string> string_sections{"STRINGS",
                                           fold_case("strings." + primary_language(language)),
                                           fold_case("strings." + language)};
  for (const std::string& wanted : string_sections)
    for (const RawSection& section : sections)
      if (fold_case(section.name) == wanted)
        for (const RawLine& line : section.lines)
          if (line.has_key) {
            std::string key = plain_text(line.key);
            inf.strings_[fold_case(key)] = line.fields.empty() ? "" : plain_text(line.fields[0]);
            inf.string_spelling_.try_emplace(fold_case(key), key);
          }

  auto substitute = [&inf](const RawField& field, int number) {
    std::string out;
    for (const Segment& segment : field) {
      if (segment.quoted) {
        out += segment.text;
        continue;
      }
      const std::string& t = segment.text;
      for (size_t i = 0; i < t.size(); ++i) {
        size_t close = t[i] == '%' ? t.find('%', i + 1) : std::string::npos;
        if (close == std::string::npos) {
          out += t[i];
          continue;
        }
        std::string key = t.substr(i + 1, close - i - 1);
        bool numeric = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
        if (key.empty()) {
          out += '%';
        } else if (numeric) {
          out += t.substr(i, close - i + 1);  // a directory id, resolved by whoever uses it
        } else {
          std::optional<std::string> value = inf.string(key);
          if (!value)
            inf.fail(number, "the string %" + key + "% is not defined",
                     "define " + key + " in the [Strings] section");
          out += *value;
        }
        i = close;
      }
    }
    return out;
  };

  for (RawSection& section : sections) {
    std::string folded = fold_case(section.name);
    auto [it, inserted] = inf.sections_.try_emplace(folded);
    if (inserted) inf.section_order_.push_back(section.name);
    bool is_strings = folded == "STRINGS" || folded.rfind("STRINGS.", 0) == 0;
    for (const RawLine& raw : section.lines) {
      InfLine line;
      line.line_number = raw.line_number;
      if (is_strings) {
        // Strings are the substitutions themselves, kept as written.
        line.key = plain_text(raw.key);
        for (const RawField& field : raw.fields) line.fields.push_back(plain_text(field));
      } else {
        if (raw.has_key) line.key = substitute(raw.key, raw.line_number);
        for (const RawField& field : raw.fields)
          line.fields.push_back(substitute(field, raw.line_number));
      }
      it->second.push_back(std::move(line));
    }
  }
  return inf;
}

const std::vector<InfLine>* InfFile::section(std::string_view name) const {
  auto it = sections_.find(fold_case(std::string(name)));
  return it == sections_.end() ? nullptr : &it->second;
}

std::vector<const InfLine*> InfFile::lines_with_key(std::string_view section_name,
                                                    std::string_view key) const {
  std::vector<const InfLine*> found;
  const std::vector<InfLine>* lines = section(section_name);
  if (!lines) return found;
  std::string folded = fold_case(std::string(key));
  for (const InfLine& line : *lines)
    if (fold_case(line.key) == folded) found.push_back(&line);
  return found;
}

std::optional<std::string> InfFile::value(std::string_view section_name,
                                          std::string_view key) const {
  for (const InfLine* line : lines_with_key(section_name, key))
    if (!line->fields.empty()) return line->fields[0];
  return std::nullopt;
}

std::optional<std::string> InfFile::string(std::string_view key) const {
  auto it = strings_.find(fold_case(std::string(key)));
  if (it == strings_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, std::string>> InfFile::strings() const {
  std::vector<std::pair<std::string, std::string>> all;
  for (const auto& [folded, value] : strings_) all.emplace_back(string_spelling_.at(folded), value);
  return all;
}

void InfFile::fail(int line_number, const std::string& what, const std::string& hint) const {
  HResult code = what.find("section name") != std::string::npos ? hr::kInfBadSectionNameLine
                                                                : hr::kInfGeneralSyntax;
  throw Error(code, file_name_ + ", line " + std::to_string(line_number) + ": " + what, hint);
}

}  // namespace dismake
