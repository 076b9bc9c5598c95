#include "dismake/ops/ensure_mount.h"

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/file_lock.h"
#include "dismake/base/files.h"
#include "dismake/ops/stamp.h"
#include "dismake/session/build_claim.h"
#include "dismake/store/base_image.h"
#include "dismake/store/base_verification.h"
#include "dismake/store/mount_registry.h"
#include "dismake/store/serviced_mount.h"
#include "dismake/store/state_catalog.h"

namespace dismake {

namespace fs = std::filesystem;

namespace {

bool same_image(const MountRecord& record, const fs::path& wim, const EnsureOptions& options) {
  if (record.wim_path != wim) return false;
  return options.name.empty() ? record.image_index == options.index
                              : record.image_name == options.name;
}

// Why the existing mount cannot be reused ("" when it can).
std::string reason_to_remount(const MountPaths& paths, const fs::path& wim,
                              const EnsureOptions& options) {
  MountRecord record;
  try {
    record = MountRecord::load(paths.record_file());
    MountHead head = MountHead::load(paths.head_file());
    if (head.lazy == options.full) return "the mount's kind (lazy or full) changed";
  } catch (const Error&) {
    return "its state is corrupt";
  }
  if (!same_image(record, wim, options)) return "another image is mounted there";
  if (recheck_base(record, paths.record_file()) != BaseStatus::kSame) return "the base WIM changed";
  return "";
}

// A lazy mount's tree may rightly be empty; a full one's never is.
bool tree_vanished(const MountPaths& paths) {
  if (!fs::is_directory(paths.mount_dir)) return true;
  return !MountHead::load(paths.head_file()).lazy && fs::is_empty(paths.mount_dir);
}

void mount_fresh(MountStore& store, const fs::path& wim, const EnsureOptions& options) {
  MountOptions mount{wim, options.index, options.name, false, options.progress, !options.full};
  mount.build = true;
  mount.verify_full = options.verify_full;
  store.mount(options.mount_dir, mount);
}

std::string recipe_fingerprint(const fs::path& recipe) {
  return recipe.empty() ? "" : sha256_file_hex(recipe);
}

// The names of the recipe's steps ("001-open-session", ...) as the module
// names their stamps; none without a readable recipe.
std::optional<std::vector<std::string>> recipe_steps(const fs::path& recipe) {
  if (recipe.empty()) return std::nullopt;
  try {
    nlohmann::json j = nlohmann::json::parse(read_file(recipe));
    std::vector<std::string> names;
    for (const nlohmann::json& step : j.at("steps")) {
      char number[16];
      std::snprintf(number, sizeof number, "%03zu-", names.size() + 1);
      names.push_back(number + step.at(0).get<std::string>());
    }
    return names;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The records of a mount's outputs (previous_output.h), kept aside while
// it is made again: they describe the output files, whichever base is
// mounted, and the commit checks them against those files before use.
class KeptOutputRecords {
 public:
  explicit KeptOutputRecords(const MountPaths& paths)
      : paths_(paths), kept_(paths.record_dir.string() + ".outputs-kept") {
    std::error_code ec;
    fs::remove_all(kept_, ec);
    fs::create_directories(kept_, ec);
    fs::rename(paths.output_records_dir(), kept_ / "records", ec);
    fs::rename(paths.outputs_file(), kept_ / "outputs", ec);
  }
  ~KeptOutputRecords() {
    std::error_code ec;
    fs::remove_all(kept_, ec);
  }
  KeptOutputRecords(const KeptOutputRecords&) = delete;
  KeptOutputRecords& operator=(const KeptOutputRecords&) = delete;

  void bring_back() {
    std::error_code ec;
    fs::rename(kept_ / "records", paths_.output_records_dir(), ec);
    fs::rename(kept_ / "outputs", paths_.outputs_file(), ec);
  }

 private:
  MountPaths paths_;
  fs::path kept_;
};

}  // namespace

std::string describe_ensure(const EnsureRecord& record) {
  std::string text;
  if (record.action == "mounted") {
    text = "mounted (first build)";
  } else if (record.action == "remounted") {
    text = "mounted again (" + record.reason + ")";
  } else if (record.action == "restored-tree") {
    text = "working tree restored (it was gone)";
  } else {
    text = "up to date, mount reused";
  }
  if (record.recipe_changed && record.action != "mounted") text += "; recipe changed";
  return text;
}

EnsureRecord ensure_mount(MountStore& store, const EnsureOptions& options) {
  MountPaths paths = MountPaths::of(options.mount_dir);
  fs::path wim = absolute_path(options.wim);
  MountRegistry registry = MountRegistry::for_current_user();
  FileLock one_ensure = registry.lock_ensure(paths.mount_dir);
  // Every build runs ensure first: a second build of this mount waits here
  // for the first to end, rather than find its sessions closed under it.
  BuildClaim::take(registry.home() / "build-claims", paths.mount_dir, default_lock_timeout());
  std::string action = "reused";
  // A mount killed before it finished (an earlier ensure) is made again.
  if (std::optional<std::string> done =
          store.discard_incomplete(paths.mount_dir, default_lock_timeout()))
    std::printf("dismake: mounting %s again: it was interrupted (%s)\n", paths.mount_dir.c_str(),
                done->c_str());
  std::string why;
  if (!fs::exists(paths.record_file())) {
    mount_fresh(store, wim, options);
    action = "mounted";
  } else if (why = reason_to_remount(paths, wim, options); !why.empty()) {
    std::printf("dismake: mounting %s again: %s\n", paths.mount_dir.c_str(), why.c_str());
    // The step history outlives the mount, so that the steps can say that
    // the base changed rather than that this is a first build.
    fs::path kept = StepHistory::set_aside(paths.record_dir);
    // So do the records of its outputs: a commit on the new base writes
    // the base over the previous output instead of a new copy of it.
    KeptOutputRecords outputs(paths);
    store.unmount(paths.mount_dir, std::nullopt);
    mount_fresh(store, wim, options);
    StepHistory::bring_back(kept, paths.record_dir);
    outputs.bring_back();
    action = "remounted";
  } else if (tree_vanished(paths) && store.remount(paths.mount_dir, options.progress)) {
    action = "restored-tree";
  }

  // A mount made without the full check (or before this base was checked)
  // gets it now; on record after the first time.
  if (options.verify_full && action != "mounted" && action != "remounted")
    check_base(MountRegistry::for_current_user().home(), wim, BaseCheck::kFull, options.progress);

  ServicedMount mount = ServicedMount::open(paths.mount_dir);
  mount.tree().roll_back_interrupted_step();
  require_clean(mount);
  std::string recipe = recipe_fingerprint(options.recipe);
  bool recipe_changed = recipe != mount.state().head().recipe;
  if (recipe_changed) mount.steps().set_recipe(recipe);
  mount.log().append({{"event", "ensure"}, {"action", action}});

  const MountHead& head = mount.state().head();
  nlohmann::json spec = {{"wim", wim.string()},
                         {"index", mount.state().record().image_index},
                         {"full", options.full},
                         {"recipe", recipe},
                         {"mount_id", head.mount_id}};
  if (!options.stamp.empty())
    ensure_stamp(head.base_key, spec).save(options.stamp, /*only_if_changed=*/true);
  EnsureRecord record{action, why, head.base_key, recipe, recipe_changed};
  StepHistory(paths.record_dir).begin_build(recipe_steps(options.recipe), record);
  return record;
}

}  // namespace dismake
