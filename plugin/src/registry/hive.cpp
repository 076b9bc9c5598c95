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

namespace dismake {

namespace {

// Windows keeps value data over 16344 bytes in "big data" records in hives of
// format 1.4 and later (all hives since XP); hivex writes one plain cell
// instead, which Windows would misread. hivex rewrites every value of a key it
// changes, so this limit also guards the other values of that key.
constexpr size_t kMaxCellData = 16344;

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

void Hive::write_values(Node node, const std::vector<NamedValue>& values) {
  std::vector<hive_set_value> records;
  for (const NamedValue& v : values) {
    check_cell_size(v.name, v.value);
    records.push_back({const_cast<char*>(v.name.c_str()), static_cast<hive_type>(v.value.type()),
                       v.value.bytes().size(), const_cast<char*>(v.value.bytes().data())});
  }
  errno = 0;
  if (hivex_node_set_values(handle_, node, records.size(), records.data(), 0) != 0)
    fail("write values");
  modified_ = true;
}

// Offline, CurrentControlSet is the ControlSet00N that Select\Current names.
std::vector<std::string> Hive::resolve(std::string_view key_path) {
  std::vector<std::string> parts = split_key(key_path);
  if (parts.empty() || !same_name(parts[0], "CurrentControlSet")) return parts;
  Node root = hivex_root(handle_);
  if (find_child(root, parts[0])) return parts;
  auto select = find_child(root, "Select");
  if (!select) return parts;
  for (const NamedValue& v : read_values(*select)) {
    if (same_name(v.name, "Current") && v.value.type() == RegistryType::kDword &&
        v.value.bytes().size() == 4) {
      std::uint32_t number = 0;
      for (int i = 3; i >= 0; --i)
        number = number << 8 | static_cast<unsigned char>(v.value.bytes()[i]);
      char name[32];
      std::snprintf(name, sizeof name, "ControlSet%03u", number);
      parts[0] = name;
    }
  }
  return parts;
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
    errno = 0;
    node = hivex_node_add_child(handle_, node, parts[i].c_str());
    if (node == 0) fail("create key '" + join_key(parts, i + 1) + "'");
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

void Hive::check_cell_size(std::string_view name, const RegistryValue& value) const {
  if (value.bytes().size() <= kMaxCellData) return;
  throw Error(hr::kNotSupported,
              "registry value '" + std::string(name) + "' in hive '" + path_.string() + "' holds " +
                  std::to_string(value.bytes().size()) +
                  " bytes; dismake writes values of at most " + std::to_string(kMaxCellData),
              "keep values under 16 KiB, or change this key with a run step");
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
  check_cell_size(name, value);
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
  // that wrote it syncs once for all it wrote (ServicedMount::finish_step)
  // before the step becomes the mount's state. The rename alone keeps a
  // killed step from leaving half a hive.
  replace_through_temporary(path_, [&](const std::filesystem::path& tmp) {
    errno = 0;
    if (hivex_commit(handle_, tmp.c_str(), 0) != 0) throw_errno("write", tmp.string(), errno);
    // The hive keeps its permissions: an image's files are captured with them.
    if (::chmod(tmp.c_str(), mode_) != 0) throw_errno("chmod", tmp.string(), errno);
  });
  // Only after the hive holds all the logs' data: stopped in between, the
  // hive is clean, and Windows ignores the logs of a clean hive.
  empty_hive_logs(replayed_logs_);
  modified_ = false;
  return true;
}

}  // namespace dismake
