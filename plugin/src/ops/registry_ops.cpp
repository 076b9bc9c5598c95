// The registry steps: set a value, delete a value, delete a key, import a
// .reg file. Each edits hive files inside the image with hivex; a lazy mount
// extracts only the hives they touch.
#include <algorithm>
#include <cstdlib>

#include "dismake/base/clock.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/ops/registry_settings.h"
#include "dismake/ops/servicing_ops.h"
#include "dismake/registry/hive.h"
#include "dismake/registry/hive_log_replay.h"
#include "dismake/registry/reg_file.h"
#include "dismake/registry/registry_path.h"
#include "dismake/registry/registry_value.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

namespace {

// The hive file `hive_file` as the image spells it; throws when the image
// has none.
std::string existing_hive(const ServicedMount& mount, const std::string& hive_file,
                          const std::string& hive_name) {
  std::string resolved = mount.state().resolve(hive_file);
  mount.state().refuse_links(resolved, /*including_self=*/true);
  if (mount.state().kind_of(resolved) != FileKind::kFile)
    throw Error(hr::kFileNotFound, "the image has no " + hive_name + " hive ('" + hive_file + "')",
                "check the key's hive, or add the hive file to the image first");
  return resolved;
}

// Makes the hive file present in the tree, with its transaction logs when
// it is dirty (Hive replays them).
void materialize_hive(ServicedMount& mount, const std::string& hive_file) {
  mount.tree().materialize(hive_file);
  if (!hive_needs_log_replay(mount.state().disk_path(hive_file))) return;
  for (const std::string& log : hive_log_file_names(hive_file)) {
    std::string resolved = mount.state().resolve(log);
    if (mount.state().kind_of(resolved) == FileKind::kFile) mount.tree().materialize(resolved);
  }
}

// The image paths of the hive and of the logs its save() emptied.
std::vector<std::string> saved_hive_paths(const std::string& hive_file, const Hive& hive) {
  std::vector<std::string> paths{hive_file};
  std::string dir = hive_file.substr(0, hive_file.rfind('/') + 1);
  for (const fs::path& log : hive.replayed_logs()) paths.push_back(dir + log.filename().string());
  return paths;
}

// The time keys a step writes get: the time a commit gives the files it
// changes (SOURCE_DATE_EPOCH when set, else the base image's own time), so
// the same steps give the same hive bytes.
std::int64_t key_change_time(const ServicedMount& mount) {
  const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
  if (epoch != nullptr && *epoch != '\0') return reproducible_time(0);
  const MountRecord& record = mount.state().record();
  if (record.image_modification_time != 0) return record.image_modification_time;
  return WimFile::open(record.wim_path).image_modification_time(record.image_index);
}

// Runs `edit` on the hive of `key` and saves it.
template <typename Edit>
StepChanges edit_hive(ServicedMount& mount, const RegistryPath& key, Edit edit) {
  std::string hive_file = existing_hive(mount, key.hive_file, key.hive_name);
  materialize_hive(mount, hive_file);
  Hive hive(mount.state().disk_path(hive_file));
  hive.set_change_time(key_change_time(mount));
  edit(hive);
  if (!hive.save()) return StepChanges{{hive_file}, {}};
  return StepChanges{saved_hive_paths(hive_file, hive), {}};
}

// The value is parsed once, when the op is made: bad data is refused before
// the step touches the mount, and check and apply use the same bytes. The
// spec keeps the text as written (the step's fingerprint).
class SetRegistryValueOp : public Op {
 public:
  SetRegistryValueOp(std::string key, std::string name, std::string type, std::string data)
      : key_(std::move(key)),
        name_(std::move(name)),
        type_(std::move(type)),
        data_(std::move(data)),
        value_(RegistryValue::parse(type_, data_)) {}

  std::string name() const override { return "set-registry-value"; }
  nlohmann::json spec() const override {
    return {{"key", key_}, {"name", name_}, {"type", type_}, {"data", data_}};
  }
  void check(const ServicedMount& mount) const override {
    RegistryPath key = parse_registry_path(key_);
    existing_hive(mount, key.hive_file, key.hive_name);
  }
  StepChanges apply(ServicedMount& mount) override {
    RegistryPath key = parse_registry_path(key_);
    return edit_hive(mount, key, [&](Hive& hive) { hive.set_value(key.key, name_, value_); });
  }

 private:
  std::string key_, name_, type_, data_;
  RegistryValue value_;
};

// A run of values set in one step (registry_settings.h), in order. Each
// value is set in a hive session of its own, as a set-registry-value step
// of its own would: hivex starts the first cell a session allocates on a
// new hive bin (4 KiB) and counts each save in the hive's sequence
// numbers, so one session for the run would give other hive bytes than the
// same values set one step each. The same recipe gives the same image
// whether its values are set one call at a time or as a run; what the run
// saves is the step around them (process, mount, state, stamp).
class SetRegistryValuesOp : public Op {
 public:
  explicit SetRegistryValuesOp(const fs::path& values_file)
      : settings_(read_registry_settings(values_file)) {}

  std::string name() const override { return "set-registry-values"; }
  nlohmann::json spec() const override {
    nlohmann::json values = nlohmann::json::array();
    for (const RegistrySetting& s : settings_)
      values.push_back({{"key", s.key}, {"name", s.name}, {"type", s.type}, {"data", s.data}});
    return {{"values", values}};
  }
  void check(const ServicedMount& mount) const override {
    for (const RegistrySetting& s : settings_) {
      RegistryPath key = parse_registry_path(s.key);
      existing_hive(mount, key.hive_file, key.hive_name);
    }
  }
  StepChanges apply(ServicedMount& mount) override {
    StepChanges changes;
    for (const RegistrySetting& s : settings_) {
      RegistryPath key = parse_registry_path(s.key);
      StepChanges one =
          edit_hive(mount, key, [&](Hive& hive) { hive.set_value(key.key, s.name, s.value); });
      for (std::string& path : one.paths) {
        if (std::find(changes.paths.begin(), changes.paths.end(), path) == changes.paths.end())
          changes.paths.push_back(std::move(path));
      }
    }
    return changes;
  }

 private:
  std::vector<RegistrySetting> settings_;
};

class DeleteRegistryValueOp : public Op {
 public:
  DeleteRegistryValueOp(std::string key, std::string name, bool if_exists)
      : key_(std::move(key)), name_(std::move(name)), if_exists_(if_exists) {}

  std::string name() const override { return "delete-registry-value"; }
  nlohmann::json spec() const override {
    return {{"key", key_}, {"name", name_}, {"if_exists", if_exists_}};
  }
  void check(const ServicedMount& mount) const override {
    RegistryPath key = parse_registry_path(key_);
    existing_hive(mount, key.hive_file, key.hive_name);
  }
  StepChanges apply(ServicedMount& mount) override {
    RegistryPath key = parse_registry_path(key_);
    return edit_hive(mount, key,
                     [&](Hive& hive) { hive.delete_value(key.key, name_, if_exists_); });
  }

 private:
  std::string key_, name_;
  bool if_exists_;
};

class DeleteRegistryKeyOp : public Op {
 public:
  DeleteRegistryKeyOp(std::string key, bool if_exists)
      : key_(std::move(key)), if_exists_(if_exists) {}

  std::string name() const override { return "delete-registry-key"; }
  nlohmann::json spec() const override { return {{"key", key_}, {"if_exists", if_exists_}}; }
  void check(const ServicedMount& mount) const override {
    RegistryPath key = parse_registry_path(key_);
    existing_hive(mount, key.hive_file, key.hive_name);
  }
  StepChanges apply(ServicedMount& mount) override {
    RegistryPath key = parse_registry_path(key_);
    return edit_hive(mount, key, [&](Hive& hive) { hive.delete_key(key.key, if_exists_); });
  }

 private:
  std::string key_;
  bool if_exists_;
};

class ImportRegistryOp : public Op {
 public:
  explicit ImportRegistryOp(fs::path file) : file_(absolute_path(file)) {}

  std::string name() const override { return "import-registry"; }
  nlohmann::json spec() const override { return {{"file", file_.string()}}; }
  void collect_inputs(InputSet& inputs) const override { inputs.add_file(file_); }
  void check(const ServicedMount& mount) const override {
    for (const RegistryOperation& op : operations())
      existing_hive(mount, op.key.hive_file, op.key.hive_name);
  }
  StepChanges apply(ServicedMount& mount) override {
    std::vector<RegistryOperation> ops = operations();
    for (const std::string& hive : registry_hive_files(ops)) {
      std::string resolved = mount.state().resolve(hive);
      if (mount.state().kind_of(resolved) == FileKind::kFile) materialize_hive(mount, resolved);
    }
    StepChanges changes;
    for (const std::string& hive :
         apply_registry_operations(mount.state().paths().mount_dir, ops, key_change_time(mount)))
      changes.paths.push_back(mount.state().resolve(hive));
    return changes;
  }

 private:
  std::vector<RegistryOperation> operations() const {
    return parse_reg_file(read_file(file_), file_.string());
  }
  fs::path file_;
};

}  // namespace

std::unique_ptr<Op> make_set_registry_value_op(std::string key, std::string name, std::string type,
                                               std::string data) {
  return std::make_unique<SetRegistryValueOp>(std::move(key), std::move(name), std::move(type),
                                              std::move(data));
}

std::unique_ptr<Op> make_set_registry_values_op(const fs::path& values_file) {
  return std::make_unique<SetRegistryValuesOp>(values_file);
}

std::unique_ptr<Op> make_delete_registry_value_op(std::string key, std::string name,
                                                  bool if_exists) {
  return std::make_unique<DeleteRegistryValueOp>(std::move(key), std::move(name), if_exists);
}

std::unique_ptr<Op> make_delete_registry_key_op(std::string key, bool if_exists) {
  return std::make_unique<DeleteRegistryKeyOp>(std::move(key), if_exists);
}

std::unique_ptr<Op> make_import_registry_op(fs::path reg_file) {
  return std::make_unique<ImportRegistryOp>(std::move(reg_file));
}

}  // namespace dismake
