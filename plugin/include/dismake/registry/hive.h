// One offline registry hive file opened for changes (RAII over hivex). The
// registry ops read and change hives inside a mounted image through it; the
// file on disk changes only in save(), atomically, so a failed op leaves the
// hive exactly as it was.
//
// Key and value names compare case-insensitively, as Windows does (for Latin,
// Greek and Cyrillic letters; other scripts compare exactly). Key
// paths are '\'-separated, "" is the root key; the value name "" is the key's
// default value (regedit's "@").
//
// A dirty hive (one Windows had not flushed: newer data still in its
// .LOG1/.LOG2 transaction logs) is opened with its logs replayed, as Windows
// loads it (hive_log_replay.h); save() then writes the clean, complete hive
// and empties the logs, so that nothing is lost and nothing replays over the
// edit. A dirty hive whose logs cannot be replayed is refused.
//
// Offline there is no CurrentControlSet: Windows makes it at boot as a link
// to the control set that SYSTEM\Select\Current names. So a key path starting
// with CurrentControlSet, in a hive that has no such key but has
// Select\Current (the SYSTEM hive), goes to that ControlSet00N; in a hive
// without Select\Current it is an Error(ERROR_FILE_NOT_FOUND) naming the
// control sets the hive has (Windows would never read a literal
// CurrentControlSet key).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dismake/base/error.h"
#include "dismake/registry/registry_value.h"

struct hive_h;

namespace dismake {

class Hive {
 public:
  // A value with its name as the hive spells it.
  struct NamedValue {
    std::string name;
    RegistryValue value;
  };

  // Opens the hive file at `path`; changes stay in memory until save().
  // Throws Error: ERROR_FILE_NOT_FOUND when it does not exist,
  // ERROR_BAD_FORMAT when it is not a registry hive, ERROR_INVALID_DATA when
  // it is a corrupt one, ERROR_REGISTRY_CORRUPT when it is dirty and its
  // transaction logs cannot be replayed; each names the file.
  explicit Hive(const std::filesystem::path& path);
  ~Hive();
  Hive(const Hive&) = delete;
  Hive& operator=(const Hive&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // True once a change was made that save() has not written yet.
  bool modified() const { return modified_; }

  // The transaction log files beside a dirty hive, whose data this Hive
  // holds; save() empties them. Empty for a clean hive.
  const std::vector<std::filesystem::path>& replayed_logs() const { return replayed_logs_; }

  // True when the key exists.
  bool has_key(std::string_view key_path);

  // Creates the key and any missing parents (existing ones are kept as they
  // are, whatever the spelling of `key_path`). New key names must be ASCII
  // (Error(ERROR_NOT_SUPPORTED) otherwise: see hive.cpp) and at most 255
  // characters (E_INVALIDARG).
  void create_key(std::string_view key_path);

  // Sets value `name` of the key, creating the key and its parents as
  // create_key() does. An existing value of that name (in any case) is
  // replaced but keeps its name's spelling. Setting a value to what it
  // already is changes nothing.
  // Data over 16,344 bytes is stored as Windows does, in big-data records
  // (written at save(): hive_big_data.h). Throws Error(ERROR_NOT_SUPPORTED)
  // for data over 8,000,000 bytes, or over 16,344 in a hive of format 1.3
  // or older, which has no big-data records.
  void set_value(std::string_view key_path, std::string_view name, const RegistryValue& value);

  // Deletes value `name` of the key. A missing key or value is an
  // Error(ERROR_FILE_NOT_FOUND), unless `if_exists`. Returns whether it
  // deleted something.
  bool delete_value(std::string_view key_path, std::string_view name, bool if_exists = false);

  // Deletes the key with all its subkeys and values. A missing key is an
  // Error(ERROR_FILE_NOT_FOUND), unless `if_exists`; the root key cannot be
  // deleted (E_INVALIDARG). Returns whether it deleted something.
  bool delete_key(std::string_view key_path, bool if_exists = false);

  // The value, or nullopt when the key or the value does not exist.
  std::optional<RegistryValue> get_value(std::string_view key_path, std::string_view name);

  // The names of the key's subkeys as the hive spells them, and its values;
  // both empty when the key does not exist. Reads only.
  std::vector<std::string> subkeys(std::string_view key_path);
  std::vector<NamedValue> values(std::string_view key_path);

  // Calls `visit` for every key, parents before children, with its path as
  // the hive spells it ("" is the root key) and its values; reads only.
  void for_each_key(const std::function<void(const std::string& key_path,
                                             const std::vector<NamedValue>&)>& visit);

  // The time (Unix seconds) save() gives the keys this Hive created or
  // changed (values set or deleted, subkeys created or deleted), as Windows
  // stamps a key with its last write. Unset, hivex's times stay: a changed
  // key keeps its old time and a new key gets its parent's.
  void set_change_time(std::int64_t unix_seconds);

  // Writes the hive back to its file when modified(): hivex writes a
  // temporary file beside it, dismake adds the big values' records to it,
  // and it is renamed over the hive (keeping its permissions); then empties
  // replayed_logs(). Returns whether it wrote.
  bool save();

 private:
  using Node = std::size_t;

  std::vector<std::string> resolve(std::string_view key_path);
  std::optional<Node> find_key(const std::vector<std::string>& parts);
  Node find_or_create_key(const std::vector<std::string>& parts);
  std::optional<Node> find_child(Node parent, std::string_view name);
  std::vector<NamedValue> read_values(Node node);
  void visit_key(
      Node node, const std::string& key_path,
      const std::function<void(const std::string&, const std::vector<NamedValue>&)>& visit);
  void write_values(Node node, const std::vector<NamedValue>& values);
  void check_new_key_name(const std::vector<std::string>& parts, size_t index) const;
  void check_value_size(std::string_view name, const RegistryValue& value) const;
  const RegistryValue* pending_big_value(Node node, std::string_view name,
                                         size_t stored_length) const;
  struct StoredBigData {
    std::string name;
    size_t record;
    std::string data;
  };
  std::vector<StoredBigData> release_big_data(Node node);
  static size_t take_unchanged(std::vector<StoredBigData>& stored, const NamedValue& value);
  void note_dropped_subtree(Node node);
  void finish_written_hive(const std::filesystem::path& written);
  size_t find_value_cell(Node node, const std::string& name);
  void reopen_saved();
  Error not_found(const std::string& what) const;
  Error no_current_control_set();
  [[noreturn]] void fail(const std::string& action) const;
  void open_replayed();

  std::filesystem::path path_;
  hive_h* handle_ = nullptr;
  mode_t mode_ = 0644;
  std::uint32_t minor_version_ = 0;
  // A big value set since the last save(): hivex holds a placeholder.
  struct PendingBigValue {
    Node key;
    std::string name;
    RegistryValue value;
    size_t kept_record;  // its unchanged record in the file, or 0
  };
  std::vector<PendingBigValue> big_values_;
  // Keys written since the last save(), and the time they get.
  std::vector<Node> touched_keys_;
  std::optional<std::uint64_t> change_filetime_;
  // Data cells of big values the edit dropped (their segments are freed).
  std::vector<std::size_t> dropped_big_data_;
  std::vector<std::filesystem::path> replayed_logs_;
  bool modified_ = false;
};

}  // namespace dismake
