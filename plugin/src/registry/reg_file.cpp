#include "dismake/registry/reg_file.h"

#include <strings.h>

#include <cctype>
#include <memory>
#include <optional>

#include "dismake/base/error.h"
#include "dismake/base/text.h"
#include "dismake/base/utf8.h"
#include "dismake/registry/hive.h"

namespace dismake {

namespace fs = std::filesystem;

namespace {

const char kLineHint[] =
    "a .reg line is [key], [-key], \"name\"=value, @=value, a ';' comment or blank; values are "
    "\"string\", dword:0000002a, hex:01,02, hex(N):01,02 or - (delete)";

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         ::strncasecmp(text.data(), prefix.data(), prefix.size()) == 0;
}

bool equals_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && starts_with_nocase(a, b);
}

[[noreturn]] void throw_malformed(const std::string& file_name, int line, const std::string& what,
                                  const std::string& hint = kLineHint) {
  std::string where = "malformed .reg file '" + file_name + "'";
  if (line > 0) where += " line " + std::to_string(line);
  throw Error(hr::kInvalidData, where + ": " + what, hint);
}

// The file as UTF-8 text, whichever encoding regedit or an editor chose.
std::string decode_text(std::string_view bytes, const std::string& file_name) {
  const char kEncodingHint[] = "save the file as UTF-16LE (regedit's export) or UTF-8";
  std::optional<std::string> text;
  if (bytes.substr(0, 2) == "\xff\xfe") {
    text = utf16le_to_utf8(bytes.substr(2));
  } else if (bytes.substr(0, 2) == "\xfe\xff") {
    throw_malformed(file_name, 0, "it is UTF-16 big-endian", kEncodingHint);
  } else if (bytes.size() >= 2 && bytes[0] != '\0' && bytes[1] == '\0') {
    text = utf16le_to_utf8(bytes);  // UTF-16LE that lost its BOM
  } else {
    if (bytes.substr(0, 3) == "\xef\xbb\xbf") bytes.remove_prefix(3);
    if (utf8_to_utf16le(bytes)) text = std::string(bytes);
  }
  if (!text) throw_malformed(file_name, 0, "it is neither UTF-16LE nor UTF-8 text", kEncodingHint);
  return *text;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (;;) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// True when the line ends in a '\' outside any quoted string: regedit's mark
// that the value goes on in the next line.
bool continues(std::string_view line) {
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (in_string && line[i] == '\\') {
      ++i;
    } else if (line[i] == '"') {
      in_string = !in_string;
    } else if (!in_string && line[i] == '\\' && i + 1 == line.size()) {
      return true;
    }
  }
  return false;
}

class RegParser {
 public:
  RegParser(std::string_view text, const std::string& file_name)
      : file_name_(file_name), lines_(split_lines(text)) {}

  std::vector<RegistryOperation> parse() {
    parse_header();
    while (next_ < lines_.size()) {
      line_number_ = static_cast<int>(next_) + 1;
      std::string line(trim(lines_[next_++]));
      if (line.empty() || line[0] == ';') continue;
      if (line[0] == '[') {
        parse_key(line);
      } else if (line[0] == '"' || line[0] == '@') {
        parse_value(join_continuations(line));
      } else {
        fail("expected a [key] or a value, found '" + line + "'");
      }
    }
    return std::move(operations_);
  }

 private:
  [[noreturn]] void fail(const std::string& what, const std::string& hint = kLineHint) const {
    throw_malformed(file_name_, line_number_, what, hint);
  }

  void parse_header() {
    while (next_ < lines_.size() && trim(lines_[next_]).empty()) ++next_;
    line_number_ = static_cast<int>(next_) + 1;
    std::string_view header = next_ < lines_.size() ? trim(lines_[next_++]) : "";
    if (header != "Windows Registry Editor Version 5.00" && header != "REGEDIT4") {
      fail("expected 'Windows Registry Editor Version 5.00' or 'REGEDIT4' first",
           "start the file with the header line regedit writes");
    }
  }

  // A line continues only outside a string, so each next line starts outside
  // one: checking the new line alone keeps a 1 MB value (40,000 lines)
  // linear.
  std::string join_continuations(std::string line) {
    bool more = continues(line);
    while (more && next_ < lines_.size()) {
      line.pop_back();
      std::string_view piece = trim(lines_[next_++]);
      more = continues(piece);
      line += piece;
    }
    return line;
  }

  void parse_key(const std::string& line) {
    if (line.back() != ']') fail("a key line must end with ']'");
    std::string_view name(line);
    name = name.substr(1, name.size() - 2);
    bool deleted = !name.empty() && name[0] == '-';
    if (deleted) name.remove_prefix(1);
    RegistryOperation op;
    op.kind = deleted ? RegistryOperation::Kind::kDeleteKey : RegistryOperation::Kind::kCreateKey;
    op.key = parse_path(name);
    add(std::move(op));
    key_ = operations_.back().key;
    key_deleted_ = deleted;
  }

  RegistryPath parse_path(std::string_view name) const {
    try {
      return parse_registry_path(trim(name));
    } catch (const Error& error) {
      fail(error.problem(), error.hint());
    }
  }

  void parse_value(std::string_view line) {
    if (!key_) fail("a value comes before any [key]", "put a [key] line above the value");
    if (key_deleted_)
      fail("a value follows a deleted key", "put a [key] line (without '-') above the value");
    RegistryOperation op;
    op.key = *key_;
    size_t pos = 1;
    if (line[0] == '"') op.name = parse_string(line, &pos);
    std::string_view rest = trim(line.substr(pos));
    if (rest.empty() || rest[0] != '=') fail("expected '=' after the value name");
    rest = trim(rest.substr(1));
    if (rest == "-") {
      op.kind = RegistryOperation::Kind::kDeleteValue;
    } else {
      op.kind = RegistryOperation::Kind::kSetValue;
      op.value = parse_data(rest);
    }
    add(std::move(op));
  }

  // A quoted string starting at text[*pos - 1] == '"'; leaves *pos after the
  // closing quote.
  std::string parse_string(std::string_view text, size_t* pos) const {
    std::string result;
    for (size_t i = *pos; i < text.size(); ++i) {
      char c = text[i];
      if (c == '"') {
        *pos = i + 1;
        return result;
      }
      if (c == '\\') {
        if (i + 1 >= text.size() || (text[i + 1] != '\\' && text[i + 1] != '"')) {
          fail("unknown escape in a string",
               "in a .reg string write a backslash as \\\\ and a quote as \\\"");
        }
        c = text[++i];
      }
      result.push_back(c);
    }
    fail("a string is missing its closing quote");
  }

  RegistryValue parse_data(std::string_view data) const {
    if (data[0] == '"') {
      size_t pos = 1;
      std::string text = parse_string(data, &pos);
      if (!trim(data.substr(pos)).empty()) fail("unexpected text after a string value");
      return RegistryValue::string(text);
    }
    if (starts_with_nocase(data, "dword:")) return parse_dword(data.substr(6));
    if (starts_with_nocase(data, "hex:")) return parse_hex(RegistryType::kBinary, data.substr(4));
    if (starts_with_nocase(data, "hex(")) {
      size_t close = data.find("):");
      if (close == std::string_view::npos) fail("expected hex(N): with a type number N in hex");
      return parse_hex(parse_type_number(data.substr(4, close - 4)), data.substr(close + 2));
    }
    fail("unrecognized value data '" + std::string(data) + "'");
  }

  RegistryValue parse_dword(std::string_view digits) const {
    auto number = parse_hex_number(digits);
    if (!number) fail("dword: needs 1 to 8 hex digits, found '" + std::string(digits) + "'");
    return RegistryValue::dword(*number);
  }

  RegistryType parse_type_number(std::string_view digits) const {
    auto number = parse_hex_number(digits);
    if (!number) fail("hex(N): needs a type number N of 1 to 8 hex digits");
    return static_cast<RegistryType>(*number);
  }

  RegistryValue parse_hex(RegistryType type, std::string_view text) const {
    auto bytes = parse_hex_bytes(text);
    if (!bytes) {
      fail("bad hex bytes '" + std::string(trim(text)) + "'",
           "write the stored bytes as two hex digits each, separated by commas: hex:01,02,ff");
    }
    return RegistryValue(type, std::move(*bytes));
  }

  static std::optional<std::uint32_t> parse_hex_number(std::string_view digits) {
    if (digits.empty() || digits.size() > 8) return std::nullopt;
    std::uint32_t value = 0;
    for (char c : digits) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
      value = value * 16 +
              static_cast<std::uint32_t>(std::isdigit(c) ? c - '0' : std::tolower(c) - 'a' + 10);
    }
    return value;
  }

  void add(RegistryOperation op) {
    op.line = line_number_;
    operations_.push_back(std::move(op));
  }

  std::string file_name_;
  std::vector<std::string_view> lines_;
  size_t next_ = 0;
  int line_number_ = 0;
  std::optional<RegistryPath> key_;
  bool key_deleted_ = false;
  std::vector<RegistryOperation> operations_;
};

// The image-relative path as spelled in the image, matching each component in
// any case; nullopt when there is no such file.
std::optional<std::string> find_in_image(const fs::path& root, const std::string& relative) {
  fs::path dir = root;
  std::string spelled;
  for (const fs::path& component : fs::path(relative)) {
    std::optional<fs::path> match;
    std::error_code ec;
    if (fs::exists(dir / component, ec)) {
      match = component;
    } else {
      for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
        if (equals_nocase(entry.path().filename().string(), component.string())) {
          match = entry.path().filename();
          break;
        }
      }
    }
    if (!match) return std::nullopt;
    dir /= *match;
    spelled += (spelled.empty() ? "" : "/") + match->string();
  }
  return spelled;
}

struct OpenHive {
  std::string canonical;  // RegistryPath::hive_file
  std::string spelled;    // as found in the image
  std::unique_ptr<Hive> hive;
};

Hive& hive_for(const fs::path& root, const RegistryOperation& op, std::vector<OpenHive>* open) {
  for (OpenHive& candidate : *open) {
    if (equals_nocase(candidate.canonical, op.key.hive_file)) return *candidate.hive;
  }
  auto spelled = find_in_image(root, op.key.hive_file);
  if (!spelled) {
    throw Error(hr::kFileNotFound,
                "the image at '" + root.string() + "' has no registry hive file '" +
                    op.key.hive_file + "' for key '" + op.key.display() + "'",
                "this image lacks that hive (a Windows PE image has no user profile, for one): "
                "drop the change or service an image that has it");
  }
  open->push_back({op.key.hive_file, *spelled, std::make_unique<Hive>(root / *spelled)});
  return *open->back().hive;
}

void apply_one(Hive& hive, const RegistryOperation& op) {
  switch (op.kind) {
    case RegistryOperation::Kind::kCreateKey:
      hive.create_key(op.key.key);
      break;
    case RegistryOperation::Kind::kDeleteKey:
      hive.delete_key(op.key.key, op.if_exists);
      break;
    case RegistryOperation::Kind::kSetValue:
      hive.set_value(op.key.key, op.name, op.value);
      break;
    case RegistryOperation::Kind::kDeleteValue:
      hive.delete_value(op.key.key, op.name, op.if_exists);
      break;
  }
}

}  // namespace

std::vector<RegistryOperation> parse_reg_file(std::string_view bytes,
                                              const std::string& file_name) {
  std::string text = decode_text(bytes, file_name);
  return RegParser(text, file_name).parse();
}

std::vector<std::string> registry_hive_files(const std::vector<RegistryOperation>& operations) {
  std::vector<std::string> files;
  for (const RegistryOperation& op : operations) {
    bool seen = false;
    for (const std::string& file : files) seen = seen || equals_nocase(file, op.key.hive_file);
    if (!seen) files.push_back(op.key.hive_file);
  }
  return files;
}

std::vector<std::string> apply_registry_operations(const fs::path& image_root,
                                                   const std::vector<RegistryOperation>& operations,
                                                   std::optional<std::int64_t> change_time) {
  std::vector<OpenHive> open;
  for (const RegistryOperation& op : operations) {
    Hive& hive = hive_for(image_root, op, &open);
    if (change_time) hive.set_change_time(*change_time);
    apply_one(hive, op);
  }
  std::vector<std::string> written;
  for (OpenHive& entry : open) {
    if (!entry.hive->save()) continue;
    written.push_back(entry.spelled);
    std::string dir = entry.spelled.substr(0, entry.spelled.rfind('/') + 1);
    for (const fs::path& log : entry.hive->replayed_logs())
      written.push_back(dir + log.filename().string());
  }
  return written;
}

}  // namespace dismake
