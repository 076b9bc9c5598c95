#include "dismake/registry/hive.h"

#include <hivex.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/utf8.h"
#include "dismake/registry/hive_log_replay.h"
#include "hive_big_data.h"
#include "hive_format.h"

namespace dismake {

namespace {

// The most data a value may hold: hivex refuses to read more (its
// HIVEX_MAX_VALUE_LEN), so dismake could not read it back. Windows' own
// limit is higher; values this big are rare (documented limit 1 MB).
constexpr size_t kMaxValueData = 8000000;

// The first hive format with big-data records (1.4, Windows XP); older hives
// keep all data in plain cells, which dismake writes only up to kMaxCellData.
constexpr std::uint32_t kFirstBigDataMinorVersion = 4;

// Windows' limits: a key name of 255 and a value name of 16,383 UTF-16
// characters, and a tree 512 levels deep (counted from HKEY_LOCAL_MACHINE,
// which with the hive's own key is 2 levels above the hive's root).
constexpr size_t kMaxKeyNameLength = 255;
constexpr size_t kMaxValueNameLength = 16383;
constexpr size_t kMaxKeyDepth = 512;
constexpr size_t kLevelsAboveHiveRoot = 2;

size_t utf16_length(std::string_view text) {
  size_t units = 0;
  for (size_t i = 0; i < text.size();) units += decode_utf8(text, i) > 0xFFFF ? 2 : 1;
  return units;
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
template <typename T>
using Malloced = std::unique_ptr<T, FreeDeleter>;

// Windows' upcase table for the scripts image keys use in practice: Latin
// (ASCII, Latin-1, Latin Extended-A), Greek and Cyrillic. Not fold_case
// (case_fold.h), which folds paths with towupper: the registry must find a
// key as Windows does, and the two tables differ in a few letters.
char16_t upcase(char16_t c) {
  bool odd = (c & 1) != 0;
  if (c >= u'a' && c <= u'z') return c - 0x20;
  if (c >= 0xe0 && c <= 0xfe && c != 0xf7) return c - 0x20;
  if (c == 0xff) return 0x178;
  if (c >= 0x100 && c <= 0x137 && c != 0x131 && odd) return c - 1;
  if (c >= 0x14a && c <= 0x177 && odd) return c - 1;
  if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) && !odd) return c - 1;
  if (c >= 0x3b1 && c <= 0x3cb && c != 0x3c2) return c - 0x20;
  if (c == 0x3c2) return 0x3a3;
  if (c >= 0x430 && c <= 0x44f) return c - 0x20;
  if (c >= 0x450 && c <= 0x45f) return c - 0x50;
  return c;
}

std::u16string folded(std::string_view utf8) {
  auto utf16 = utf8_to_utf16le(utf8);
  if (!utf16) {
    throw Error(hr::kInvalidArg, "registry name '" + std::string(utf8) + "' is not valid UTF-8",
                "write key and value names in UTF-8");
  }
  std::u16string result;
  for (size_t i = 0; i < utf16->size(); i += 2) {
    auto unit = static_cast<char16_t>(static_cast<unsigned char>((*utf16)[i]) |
                                      static_cast<unsigned char>((*utf16)[i + 1]) << 8);
    result.push_back(upcase(unit));
  }
  return result;
}

bool same_name(std::string_view a, std::string_view b) { return folded(a) == folded(b); }

std::vector<std::string> split_key(std::string_view key_path) {
  std::vector<std::string> parts;
  while (!key_path.empty() && key_path.front() == '\\') key_path.remove_prefix(1);
  while (!key_path.empty() && key_path.back() == '\\') key_path.remove_suffix(1);
  if (key_path.empty()) return parts;
  for (;;) {
    size_t slash = key_path.find('\\');
    std::string_view part = key_path.substr(0, slash);
    if (part.empty()) {
      throw Error(hr::kInvalidArg, "registry key '" + std::string(key_path) + "' has an empty name",
                  "separate key names with a single '\\'");
    }
    parts.emplace_back(part);
    if (slash == std::string_view::npos) break;
    key_path.remove_prefix(slash + 1);
  }
  return parts;
}

std::string join_key(const std::vector<std::string>& parts, size_t count) {
  std::string key;
  for (size_t i = 0; i < count; ++i) key += (i ? "\\" : "") + parts[i];
  return key;
}

bool starts_with_regf(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, sizeof magic) && std::memcmp(magic, "regf", 4) == 0;
}

[[noreturn]] void throw_open_error(const std::filesystem::path& path, int err) {
  if (err == ENOENT || err == ENOTDIR || err == EACCES || err == EPERM)
    throw_errno("open registry hive", path.string(), err);
  if (!starts_with_regf(path)) {
    throw Error(hr::kBadFormat, "'" + path.string() + "' is not a registry hive file",
                "check the path: a hive file starts with 'regf'");
  }
  throw Error(hr::kInvalidData,
              "registry hive '" + path.string() + "' is corrupt: " + std::strerror(err),
              "restore the hive from the base image, or repair it on Windows");
}

std::uint32_t read_minor_version(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string header(hive_format::kMinorVersion + 4, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header.size()))) return 0;
  return hive_format::get32(header, hive_format::kMinorVersion);
}

// What hivex holds for a big value until save() writes its db record.
const std::string& big_data_placeholder() {
  static const std::string placeholder(kBigDataPlaceholderSize, '\0');
  return placeholder;
}

HResult hresult_from_hivex_errno(int err) {
  switch (err) {
    case ENOMEM:
      return hr::kOutOfMemory;
    case ERANGE:
    case EOVERFLOW:
      return hr::kNotSupported;
    case EINVAL:
    case EFAULT:
    case ENOTSUP:
      return hr::kInvalidData;
    default:
      return hr::kFail;
  }
}

}  // namespace

Hive::Hive(const std::filesystem::path& path) : path_(path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_open_error(path, errno);
  mode_ = st.st_mode & 07777;
  minor_version_ = read_minor_version(path);
  if (hive_needs_log_replay(path)) {
    open_replayed();
    return;
  }
  errno = 0;
  handle_ = hivex_open(path.c_str(), HIVEX_OPEN_WRITE);
  if (handle_ == nullptr) throw_open_error(path, errno ? errno : EINVAL);
}

// hivex opens only files: the replayed hive goes through a temporary file
// (outside the image, so a killed step leaves nothing in it), which hivex
// reads whole into memory when opening for writing.
void Hive::open_replayed() {
  ReplayedHive replayed = replay_hive_logs(path_);
  for (const std::string& warning : replayed.warnings)
    std::fprintf(stderr, "dismake: warning: registry hive '%s': %s\n", path_.c_str(),
                 warning.c_str());
  std::filesystem::path tmp =
      temporary_sibling(std::filesystem::temp_directory_path() / "dismake-replayed-hive");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(replayed.bytes.data(), static_cast<std::streamsize>(replayed.bytes.size()));
    if (!out.flush()) {
      ::unlink(tmp.c_str());
      throw_errno("write", tmp.string(), errno ? errno : EIO);
    }
  }
  errno = 0;
  handle_ = hivex_open(tmp.c_str(), HIVEX_OPEN_WRITE);
  int err = errno ? errno : EINVAL;
  ::unlink(tmp.c_str());
  if (handle_ == nullptr) {
    throw Error(hr::kRegistryCorrupt,
                "registry hive '" + path_.string() + "' cannot be opened after replaying " +
                    replayed.applied.front() + ": " + std::strerror(err),
                "load the hive on Windows once (reg load, then reg unload) so that Windows "
                "replays its logs, then capture the image again");
  }
  replayed_logs_ = existing_hive_logs(path_);
}

Hive::~Hive() {
  if (handle_ != nullptr) hivex_close(handle_);
}

void Hive::fail(const std::string& action) const {
  int err = errno ? errno : EINVAL;
  // hivex reports its own size limits (values or subkeys of one key) as
  // EFAULT or ERANGE: a limit was reached, the hive is not damaged.
  if (modified_ && (err == EFAULT || err == ERANGE))
    throw Error(hr::kNotSupported,
                "cannot " + action + " in registry hive '" + path_.string() +
                    "': a key now holds more values or subkeys than hivex can handle",
                "split the values over several keys, or make this change on Windows; the "
                "step was rolled back");
  throw Error(
      hresult_from_hivex_errno(err),
      "cannot " + action + " in registry hive '" + path_.string() + "': " + std::strerror(err),
      "check that the hive is intact; restore it from the base image if not");
}

std::optional<Hive::Node> Hive::find_child(Node parent, std::string_view name) {
  std::u16string wanted = folded(name);
  errno = 0;
  Malloced<hive_node_h> children(hivex_node_children(handle_, parent));
  if (!children) fail("list subkeys");
  for (hive_node_h* child = children.get(); *child != 0; ++child) {
    Malloced<char> child_name(hivex_node_name(handle_, *child));
    if (!child_name) fail("read a key name");
    if (folded(child_name.get()) == wanted) return *child;
  }
  return std::nullopt;
}

std::vector<Hive::NamedValue> Hive::read_values(Node node) {
  errno = 0;
  Malloced<hive_value_h> handles(hivex_node_values(handle_, node));
  if (!handles) fail("list values");
  std::vector<NamedValue> values;
  for (hive_value_h* v = handles.get(); *v != 0; ++v) {
    Malloced<char> name(hivex_value_key(handle_, *v));
    if (!name) fail("read a value name");
    hive_type type{};
    size_t length = 0;
    Malloced<char> data(hivex_value_value(handle_, *v, &type, &length));
    if (!data) fail("read value '" + std::string(name.get()) + "'");
    if (const RegistryValue* big = pending_big_value(node, name.get(), length)) {
      values.push_back({name.get(), *big});
      continue;
    }
    values.push_back({name.get(), RegistryValue(static_cast<RegistryType>(type),
                                                std::string(data.get(), length))});
  }
  return values;
}

std::vector<std::string> Hive::subkeys(std::string_view key_path) {
  std::optional<Node> node = find_key(resolve(key_path));
  std::vector<std::string> names;
  if (!node) return names;
  errno = 0;
  Malloced<hive_node_h> children(hivex_node_children(handle_, *node));
  if (!children) fail("list subkeys");
  for (hive_node_h* child = children.get(); *child != 0; ++child) {
    Malloced<char> name(hivex_node_name(handle_, *child));
    if (!name) fail("read a key name");
    names.emplace_back(name.get());
  }
  return names;
}

std::vector<Hive::NamedValue> Hive::values(std::string_view key_path) {
  std::optional<Node> node = find_key(resolve(key_path));
  if (!node) return {};
  return read_values(*node);
}

void Hive::for_each_key(
    const std::function<void(const std::string&, const std::vector<NamedValue>&)>& visit) {
  Node root = hivex_root(handle_);
  if (root == 0) fail("find the root key");
  visit_key(root, "", visit);
}

void Hive::visit_key(
    Node node, const std::string& key_path,
    const std::function<void(const std::string&, const std::vector<NamedValue>&)>& visit) {
  visit(key_path, read_values(node));
  errno = 0;
  Malloced<hive_node_h> children(hivex_node_children(handle_, node));
  if (!children) fail("list subkeys");
  for (hive_node_h* child = children.get(); *child != 0; ++child) {
    Malloced<char> name(hivex_node_name(handle_, *child));
    if (!name) fail("read a key name");
    visit_key(*child, key_path.empty() ? name.get() : key_path + "\\" + name.get(), visit);
  }
}

// Big values go to hivex as placeholders, kept in big_values_ until save()
// writes them (hive_big_data.h). hivex rewrites every value of the key, so a
// big value already there goes through here again: unchanged, it keeps its
// record and segments as they are; replaced or deleted, its segments are
// freed at save().
void Hive::write_values(Node node, const std::vector<NamedValue>& values) {
  std::vector<StoredBigData> stored = release_big_data(node);
  std::vector<hive_set_value> records;
  for (const NamedValue& v : values) {
    check_value_size(v.name, v.value);
    const std::string* data = &v.value.bytes();
    if (data->size() > kMaxCellData) {
      big_values_.push_back({node, v.name, v.value, take_unchanged(stored, v)});
      data = &big_data_placeholder();
    }
    records.push_back({const_cast<char*>(v.name.c_str()), static_cast<hive_type>(v.value.type()),
                       data->size(), const_cast<char*>(data->data())});
  }
  for (const StoredBigData& dropped : stored) dropped_big_data_.push_back(dropped.record);
  touched_keys_.push_back(node);
  errno = 0;
  if (hivex_node_set_values(handle_, node, records.size(), records.data(), 0) != 0)
    fail("write values");
  modified_ = true;
}

const RegistryValue* Hive::pending_big_value(Node node, std::string_view name,
                                             size_t stored_length) const {
  if (stored_length != kBigDataPlaceholderSize) return nullptr;
  for (const PendingBigValue& big : big_values_) {
    if (big.key == node && same_name(big.name, name)) return &big.value;
  }
  return nullptr;
}

// The key's big values whose records the file holds, as values about to be
// rewritten or deleted: those in the hive as opened (placeholders are only
// 8 bytes, so they are not among them) and those of pending values that
// kept theirs. The key's pending values are forgotten.
std::vector<Hive::StoredBigData> Hive::release_big_data(Node node) {
  std::vector<StoredBigData> stored;
  for (const PendingBigValue& big : big_values_) {
    if (big.key == node && big.kept_record != 0)
      stored.push_back({big.name, big.kept_record, big.value.bytes()});
  }
  big_values_.erase(std::remove_if(big_values_.begin(), big_values_.end(),
                                   [&](const PendingBigValue& big) { return big.key == node; }),
                    big_values_.end());
  errno = 0;
  Malloced<hive_value_h> handles(hivex_node_values(handle_, node));
  if (!handles) fail("list values");
  for (hive_value_h* v = handles.get(); *v != 0; ++v) {
    hive_type type{};
    size_t length = 0;
    if (hivex_value_type(handle_, *v, &type, &length) != 0) fail("read a value's type");
    if (length <= kMaxCellData) continue;
    size_t record = hivex_value_data_cell_offset(handle_, *v, nullptr);
    Malloced<char> name(hivex_value_key(handle_, *v));
    Malloced<char> data(hivex_value_value(handle_, *v, &type, &length));
    if (record == 0 || !name || !data) fail("read a big value");
    stored.push_back({name.get(), record, std::string(data.get(), length)});
  }
  return stored;
}

// The record of the stored big value `value` is when it is unchanged (and
// no longer a candidate to drop), else 0.
size_t Hive::take_unchanged(std::vector<StoredBigData>& stored, const NamedValue& value) {
  for (auto it = stored.begin(); it != stored.end(); ++it) {
    if (!same_name(it->name, value.name) || it->data != value.value.bytes()) continue;
    size_t record = it->record;
    stored.erase(it);
    return record;
  }
  return 0;
}

void Hive::note_dropped_subtree(Node node) {
  for (const StoredBigData& dropped : release_big_data(node))
    dropped_big_data_.push_back(dropped.record);
  errno = 0;
  Malloced<hive_node_h> children(hivex_node_children(handle_, node));
  if (!children) fail("list subkeys");
  for (hive_node_h* child = children.get(); *child != 0; ++child) note_dropped_subtree(*child);
}

// Offline, CurrentControlSet is the ControlSet00N that Select\Current
// names. A hive without that has no current control set: a literal
// CurrentControlSet key made there is one Windows never reads.
std::vector<std::string> Hive::resolve(std::string_view key_path) {
  std::vector<std::string> parts = split_key(key_path);
  if (parts.empty() || !same_name(parts[0], "CurrentControlSet")) return parts;
  Node root = hivex_root(handle_);
  if (find_child(root, parts[0])) return parts;
  if (auto select = find_child(root, "Select")) {
    for (const NamedValue& v : read_values(*select)) {
      if (same_name(v.name, "Current") && v.value.type() == RegistryType::kDword &&
          v.value.bytes().size() == 4) {
        std::uint32_t number = hive_format::get32(v.value.bytes(), 0);
        char name[32];
        std::snprintf(name, sizeof name, "ControlSet%03u", number);
        parts[0] = name;
        return parts;
      }
    }
  }
  throw no_current_control_set();
}

Error Hive::no_current_control_set() {
  std::string sets;
  errno = 0;
  Malloced<hive_node_h> children(hivex_node_children(handle_, hivex_root(handle_)));
  if (!children) fail("list subkeys");
  for (hive_node_h* child = children.get(); *child != 0; ++child) {
    Malloced<char> name(hivex_node_name(handle_, *child));
    if (!name) fail("read a key name");
    if (folded(name.get()).rfind(folded("ControlSet"), 0) == 0)
      sets += (sets.empty() ? "" : ", ") + std::string(name.get());
  }
  return Error(hr::kFileNotFound,
               "registry hive '" + path_.string() +
                   "' has no CurrentControlSet: it has no Select\\Current value naming one (its "
                   "control sets: " +
                   (sets.empty() ? std::string("none") : sets) + ")",
               "name the control set itself (e.g. ControlSet001), or use the SYSTEM hive");
}

std::optional<Hive::Node> Hive::find_key(const std::vector<std::string>& parts) {
  Node node = hivex_root(handle_);
  if (node == 0) fail("find the root key");
  for (const std::string& part : parts) {
    auto child = find_child(node, part);
    if (!child) return std::nullopt;
    node = *child;
  }
  return node;
}

Hive::Node Hive::find_or_create_key(const std::vector<std::string>& parts) {
  Node node = hivex_root(handle_);
  if (node == 0) fail("find the root key");
  size_t existing = 0;
  for (; existing < parts.size(); ++existing) {
    auto child = find_child(node, parts[existing]);
    if (!child) break;
    node = *child;
  }
  // Checked before creating any, so a refused path leaves no half of itself.
  if (existing < parts.size() && parts.size() + kLevelsAboveHiveRoot > kMaxKeyDepth)
    throw Error(hr::kInvalidArg,
                "registry key '" + join_key(parts, parts.size()).substr(0, 60) + "...' would be " +
                    std::to_string(parts.size() + kLevelsAboveHiveRoot) +
                    " levels deep; Windows allows at most " + std::to_string(kMaxKeyDepth),
                "use a shallower key");
  for (size_t i = existing; i < parts.size(); ++i) check_new_key_name(parts, i);
  for (size_t i = existing; i < parts.size(); ++i) {
    touched_keys_.push_back(node);  // its subkey list changes
    errno = 0;
    node = hivex_node_add_child(handle_, node, parts[i].c_str());
    if (node == 0) fail("create key '" + join_key(parts, i + 1) + "'");
    touched_keys_.push_back(node);
    modified_ = true;
  }
  return node;
}

void Hive::check_new_key_name(const std::vector<std::string>& parts, size_t index) const {
  const std::string& name = parts[index];
  std::string key = join_key(parts, index + 1);
  if (folded(name).size() > kMaxKeyNameLength) {
    throw Error(hr::kInvalidArg, "registry key name '" + name + "' is longer than 255 characters",
                "shorten the key name");
  }
  // hivex indexes a new key by a hash of its UTF-8 bytes; Windows looks keys
  // up by a hash of their upper-cased UTF-16 characters. The two agree only
  // for ASCII: any other key hivex made would be listed but never found.
  bool ascii = std::all_of(name.begin(), name.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii) {
    throw Error(hr::kNotSupported,
                "cannot create registry key '" + key + "' in hive '" + path_.string() +
                    "': dismake creates only keys with ASCII names (Windows could not find "
                    "others that hivex makes)",
                "use an ASCII key name, or create the key on Windows; existing keys with "
                "non-ASCII names can be changed");
  }
}

void Hive::check_value_size(std::string_view name, const RegistryValue& value) const {
  size_t size = value.bytes().size();
  if (size > kMaxCellData && minor_version_ < kFirstBigDataMinorVersion)
    throw Error(hr::kNotSupported,
                "registry value '" + std::string(name) + "' would hold " + std::to_string(size) +
                    " bytes, but hive '" + path_.string() + "' is of format 1." +
                    std::to_string(minor_version_) + ", which holds at most " +
                    std::to_string(kMaxCellData) + " bytes in a value",
                "keep the value under 16 KiB, or change this key with a run step");
  if (size > kMaxValueData)
    throw Error(hr::kNotSupported,
                "registry value '" + std::string(name) + "' in hive '" + path_.string() +
                    "' would hold " + std::to_string(size) + " bytes; dismake writes values of " +
                    "at most " + std::to_string(kMaxValueData) + " bytes",
                "keep the value under 8 MB (Windows advises 1 MB at most), or store the data "
                "in a file");
}

Error Hive::not_found(const std::string& what) const {
  return Error(hr::kFileNotFound, what + " not found in registry hive '" + path_.string() + "'",
               "check the name, or allow it to be missing");
}

bool Hive::has_key(std::string_view key_path) { return find_key(resolve(key_path)).has_value(); }

void Hive::create_key(std::string_view key_path) { find_or_create_key(resolve(key_path)); }

void Hive::set_value(std::string_view key_path, std::string_view name, const RegistryValue& value) {
  folded(name);  // rejects a name that is not UTF-8 before anything changes
  if (utf16_length(name) > kMaxValueNameLength)
    throw Error(hr::kInvalidArg,
                "registry value name '" + std::string(name.substr(0, 40)) + "...' is " +
                    std::to_string(utf16_length(name)) +
                    " characters long; Windows allows at most " +
                    std::to_string(kMaxValueNameLength),
                "shorten the value name");
  std::vector<std::string> parts = resolve(key_path);
  check_value_size(name, value);
  Node node = find_or_create_key(parts);
  std::vector<NamedValue> values = read_values(node);
  for (NamedValue& existing : values) {
    if (!same_name(existing.name, name)) continue;
    if (existing.value == value) return;
    existing.value = value;
    write_values(node, values);
    return;
  }
  values.push_back({std::string(name), value});
  write_values(node, values);
}

bool Hive::delete_value(std::string_view key_path, std::string_view name, bool if_exists) {
  std::vector<std::string> parts = resolve(key_path);
  auto node = find_key(parts);
  if (!node) {
    if (if_exists) return false;
    throw not_found("registry key '" + join_key(parts, parts.size()) + "'");
  }
  std::vector<NamedValue> values = read_values(*node);
  for (auto it = values.begin(); it != values.end(); ++it) {
    if (!same_name(it->name, name)) continue;
    values.erase(it);
    write_values(*node, values);
    return true;
  }
  if (if_exists) return false;
  throw not_found("registry value '" + std::string(name) + "' of key '" +
                  join_key(parts, parts.size()) + "'");
}

bool Hive::delete_key(std::string_view key_path, bool if_exists) {
  std::vector<std::string> parts = resolve(key_path);
  if (parts.empty()) {
    throw Error(hr::kInvalidArg,
                "cannot delete the root key of registry hive '" + path_.string() + "'",
                "name a key below the hive's root");
  }
  auto node = find_key(parts);
  if (!node) {
    if (if_exists) return false;
    throw not_found("registry key '" + join_key(parts, parts.size()) + "'");
  }
  note_dropped_subtree(*node);
  if (auto parent = find_key({parts.begin(), parts.end() - 1})) touched_keys_.push_back(*parent);
  errno = 0;
  if (hivex_node_delete_child(handle_, *node) != 0)
    fail("delete key '" + join_key(parts, parts.size()) + "'");
  modified_ = true;
  return true;
}

std::optional<RegistryValue> Hive::get_value(std::string_view key_path, std::string_view name) {
  auto node = find_key(resolve(key_path));
  if (!node) return std::nullopt;
  for (NamedValue& v : read_values(*node)) {
    if (same_name(v.name, name)) return std::move(v.value);
  }
  return std::nullopt;
}

bool Hive::save() {
  if (!modified_) return false;
  // Not synced here: the hive is a file of a mount's tree, and the step
  // that wrote it syncs once for all it wrote (StepRecorder::finish_step)
  // before the step becomes the mount's state. The rename alone keeps a
  // killed step from leaving half a hive.
  replace_through_temporary(path_, [&](const std::filesystem::path& tmp) {
    errno = 0;
    if (hivex_commit(handle_, tmp.c_str(), 0) != 0) throw_errno("write", tmp.string(), errno);
    finish_written_hive(tmp);
    // The hive keeps its permissions: an image's files are captured with them.
    if (::chmod(tmp.c_str(), mode_) != 0) throw_errno("chmod", tmp.string(), errno);
  });
  // Only after the hive holds all the logs' data: stopped in between, the
  // hive is clean, and Windows ignores the logs of a clean hive.
  empty_hive_logs(replayed_logs_);
  modified_ = false;
  touched_keys_.clear();
  if (!big_values_.empty() || !dropped_big_data_.empty()) reopen_saved();
  return true;
}

// The second half of the save, on the file hivex wrote: the big values'
// db records and segments (hive_big_data.h), and the times of the keys the
// edit wrote, which hivex leaves as they were (or, for a new key, its
// parent's).
void Hive::finish_written_hive(const std::filesystem::path& written) {
  bool times = change_filetime_ && !touched_keys_.empty();
  if (big_values_.empty() && dropped_big_data_.empty() && !times) return;
  std::vector<BigValueWrite> writes;
  for (const PendingBigValue& big : big_values_) {
    writes.push_back(
        {find_value_cell(big.key, big.name), big.key, big.value.bytes(), big.kept_record});
  }
  std::string bytes = read_file(written);
  write_big_data(bytes, writes, dropped_big_data_);
  if (times) {
    for (Node key : touched_keys_) {
      if (key + hive_format::kKeyLastWritten + 8 > bytes.size()) continue;
      bool used = static_cast<std::int32_t>(hive_format::get32(bytes, key)) < 0;
      if (used && bytes.compare(key + 4, 2, "nk") == 0)
        hive_format::put64(bytes, key + hive_format::kKeyLastWritten, *change_filetime_);
    }
    hive_format::put32(bytes, hive_format::kChecksum, hive_format::base_block_checksum(bytes));
  }
  std::ofstream out(written, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw_errno("write", written.string(), errno ? errno : EIO);
}

void Hive::set_change_time(std::int64_t unix_seconds) {
  change_filetime_ =
      static_cast<std::uint64_t>(unix_seconds + hive_format::kFiletimeUnixOffset) * 10000000u;
}

size_t Hive::find_value_cell(Node node, const std::string& name) {
  errno = 0;
  Malloced<hive_value_h> handles(hivex_node_values(handle_, node));
  if (!handles) fail("list values");
  for (hive_value_h* v = handles.get(); *v != 0; ++v) {
    Malloced<char> stored(hivex_value_key(handle_, *v));
    if (!stored) fail("read a value name");
    if (same_name(stored.get(), name)) return *v;
  }
  throw Error(hr::kFail, "big value '" + name + "' vanished from hive '" + path_.string() + "'",
              "report this to the dismake developers; the step was rolled back");
}

// hivex still holds the placeholders: the saved file, which holds the data,
// is what later changes start from.
void Hive::reopen_saved() {
  big_values_.clear();
  dropped_big_data_.clear();
  hivex_close(handle_);
  errno = 0;
  handle_ = hivex_open(path_.c_str(), HIVEX_OPEN_WRITE);
  if (handle_ == nullptr) throw_open_error(path_, errno ? errno : EINVAL);
}

}  // namespace dismake
