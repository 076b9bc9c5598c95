// The state model through run_step (DESIGN.md, "The state model"):
// incremental == clean, restores cost what changed, a killed step is rolled
// back, hand edits are caught, refused steps change nothing, and a commit
// depends only on the final state.
#include <gtest/gtest.h>

#include "dismake/base/digest.h"
#include "dismake/ops/servicing_ops.h"
#include "dismake/ops/stamp.h"
#include "dismake/ops/step_runner.h"
#include "dismake/store/serviced_mount.h"
#include "support/ops_test_support.h"

namespace dismake {
namespace {

using test::expect_error;
using test::StepsTest;
using test::tree_digest;
using test::write_text;

const char* kKey = "HKLM\\SOFTWARE\\Contoso";

// A stamp naming the mount's base state, for a first step to chain on (in a
// build, the open-session stamp plays this part).
void write_base_stamp(const fs::path& m, const fs::path& stamp) {
  std::string base = ServicedMount::open(m).state().head().base_key;
  Stamp{base, base, nullptr}.save(stamp, false);
}

class StateModel : public StepsTest, public ::testing::WithParamInterface<bool> {
 protected:
  bool lazy() const { return GetParam(); }

  // The three steps of a small recipe, chained on stamps named <prefix>1..3:
  // a file, an overlay directory, a registry value.
  std::vector<StepAction> recipe(const fs::path& m, const std::string& prefix) {
    std::vector<StepAction> actions;
    write_base_stamp(m, scratch / (prefix + "0"));
    actions.push_back(step(m, make_add_files_op(scratch / "one.txt", "Windows/one.txt"),
                           prefix + "1", prefix + "0")
                          .action);
    actions.push_back(step(m, make_add_files_op(scratch / "overlay", "Program Files/App"),
                           prefix + "2", prefix + "1")
                          .action);
    actions.push_back(step(m, make_set_registry_value_op(kKey, "Version", "REG_SZ", "1.0"),
                           prefix + "3", prefix + "2")
                          .action);
    return actions;
  }

  // A fresh mount that runs the recipe once, committed.
  fs::path clean_build(const std::string& name) {
    fs::path m = mount(name, lazy());
    recipe(m, name + "-s");
    return commit(m, name + ".wim", name + "-s3");
  }

  void SetUp() override {
    write_text(scratch / "one.txt", "one\n");
    write_text(scratch / "overlay/a.txt", "a\n");
    write_text(scratch / "overlay/sub/b.txt", "b\n");
    write_text(scratch / "overlay/c.txt", "c\n");
  }
};

INSTANTIATE_TEST_SUITE_P(Mounts, StateModel, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Lazy" : "Full";
                         });

using Actions = std::vector<StepAction>;
const StepAction kRan = StepAction::kRan;
const StepAction kUpToDate = StepAction::kUpToDate;
const StepAction kRestored = StepAction::kRestored;

TEST_P(StateModel, IncrementalBuildEqualsCleanBuildAfterAnInputChanged) {
  fs::path m = mount("inc", lazy());
  EXPECT_EQ(recipe(m, "s"), (Actions{kRan, kRan, kRan}));
  EXPECT_EQ(recipe(m, "s"), (Actions{kRestored, kRestored, kRestored}))
      << "nothing changed: every step is a known state";
  EXPECT_EQ(
      step(m, make_set_registry_value_op(kKey, "Version", "REG_SZ", "1.0"), "s3", "s2").action,
      kUpToDate);
  fs::path first = commit(m, "first.wim", "s3");

  write_text(scratch / "overlay/a.txt", "a changed\n");
  EXPECT_EQ(recipe(m, "s"), (Actions{kRestored, kRan, kRan}));
  fs::path incremental = commit(m, "incremental.wim", "s3");
  EXPECT_EQ(test::wim_file(incremental, 1, "/Program Files/App/a.txt"), "a changed\n");

  fs::path clean = clean_build("clean");
  EXPECT_EQ(tree_digest(incremental), tree_digest(clean));
  EXPECT_NE(tree_digest(incremental), tree_digest(first));
  // Same base, same steps, same inputs: the same state key, the same bytes.
  EXPECT_EQ(sha256_file_hex(incremental), sha256_file_hex(clean));
}

TEST_P(StateModel, IncrementalBuildEqualsCleanBuildAfterAnOverlayFileWasDeleted) {
  fs::path m = mount("inc", lazy());
  recipe(m, "s");
  fs::remove(scratch / "overlay/sub/b.txt");
  EXPECT_EQ(recipe(m, "s"), (Actions{kRestored, kRan, kRan}));
  fs::path incremental = commit(m, "incremental.wim", "s3");
  EXPECT_FALSE(test::wim_has(incremental, 1, "/Program Files/App/sub/b.txt"));
  EXPECT_TRUE(test::wim_has(incremental, 1, "/Program Files/App/sub"));
  fs::path clean = clean_build("clean");
  EXPECT_EQ(tree_digest(incremental), tree_digest(clean));
}

TEST_P(StateModel, GoingBackToAnEarlierInputRestoresInsteadOfRunning) {
  fs::path m = mount("inc", lazy());
  recipe(m, "s");
  fs::path first = commit(m, "first.wim", "s3");
  write_text(scratch / "overlay/a.txt", "a changed\n");
  recipe(m, "s");
  write_text(scratch / "overlay/a.txt", "a\n");
  EXPECT_EQ(recipe(m, "s"), (Actions{kRestored, kRestored, kRestored}));
  fs::path back = commit(m, "back.wim", "s3");
  EXPECT_EQ(tree_digest(back), tree_digest(first));
  EXPECT_EQ(sha256_file_hex(back), sha256_file_hex(first));
  EXPECT_TRUE(ServicedMount::open(m).tree().scan_untracked_changes().empty());
}

TEST_P(StateModel, CommitDependsOnlyOnTheFinalState) {
  write_text(scratch / "a.txt", "a\n");
  write_text(scratch / "b.txt", "b\n");
  write_text(scratch / "b2.txt", "b2\n");
  auto add_a = [&] { return make_add_files_op(scratch / "a.txt", "Windows/a.txt"); };
  auto del_logs = [&] { return make_delete_paths_op({"Windows/Logs"}, false); };
  auto ren = [&] { return make_rename_path_op("Users/Public/desktop.ini", "Users/Public/d.ini"); };

  fs::path m1 = mount("m1", lazy());
  step(m1, add_a(), "h1a");
  step(m1, del_logs(), "h1b", "h1a");
  step(m1, ren(), "h1c", "h1b");
  fs::path h1 = commit(m1, "h1.wim", "h1c");

  // Reordered, on another mount.
  fs::path m2 = mount("m2", lazy());
  step(m2, ren(), "h2a");
  step(m2, add_a(), "h2b", "h2a");
  step(m2, del_logs(), "h2c", "h2b");
  fs::path h2 = commit(m2, "h2.wim", "h2c");
  EXPECT_EQ(tree_digest(h2), tree_digest(h1));

  // A detour (another file, a registry edit), then back: restored states.
  fs::path m3 = mount("m3", lazy());
  step(m3, add_a(), "h3a");
  step(m3, make_add_files_op(scratch / "b.txt", "Windows/b.txt"), "h3x", "h3a");
  step(m3, make_set_registry_value_op(kKey, "X", "REG_DWORD", "7"), "h3y", "h3x");
  EXPECT_EQ(step(m3, del_logs(), "h3b", "h3a").action, kRan);
  EXPECT_EQ(step(m3, ren(), "h3c", "h3b").action, kRan);
  fs::path h3 = commit(m3, "h3.wim", "h3c");
  EXPECT_EQ(tree_digest(h3), tree_digest(h1));
  EXPECT_EQ(sha256_file_hex(h3), sha256_file_hex(h1));

  // The tree committed as it is (no state given) once at the state.
  fs::path h3_tree = commit(m3, "h3-tree.wim");
  EXPECT_EQ(tree_digest(h3_tree), tree_digest(h1));
}

TEST_P(StateModel, AnInterruptedStepIsRolledBackByTheNextStep) {
  auto first = [&] { return make_add_files_op(scratch / "one.txt", "Windows/one.txt"); };
  auto second = [&] { return make_delete_paths_op({"Users/Public"}, false); };
  fs::path reference_mount = mount("reference", lazy());
  step(reference_mount, first(), "r1");
  step(reference_mount, second(), "r2", "r1");
  fs::path reference = commit(reference_mount, "reference.wim", "r2");

  fs::path m = mount("m", lazy());
  StepOutcome s1 = step(m, first(), "s1");
  {
    // What a step killed half-way leaves: the write-ahead record and a tree
    // with some of its changes.
    ServicedMount sm = ServicedMount::open(m);
    sm.tree().materialize("Windows");
    sm.steps().begin_step("half-done-step", s1.key);
    write_text(m / "Windows/half.txt", "half\n");
    write_text(m / "Windows/win.ini", "overwritten\n");
    fs::remove_all(m / "Windows/Logs");
    fs::remove(m / "Windows/one.txt");
  }
  EXPECT_TRUE(ServicedMount::open(m).tree().has_interrupted_step());
  EXPECT_EQ(step(m, second(), "s2", "s1").action, kRan);
  {
    ServicedMount sm = ServicedMount::open(m);
    EXPECT_FALSE(sm.tree().has_interrupted_step());
    EXPECT_TRUE(sm.tree().scan_untracked_changes().empty());
  }
  EXPECT_FALSE(fs::exists(m / "Windows/half.txt"));
  EXPECT_EQ(test::read_text(m / "Windows/one.txt"), "one\n");
  fs::path out = commit(m, "out.wim", "s2");
  EXPECT_EQ(tree_digest(out), tree_digest(reference));
  EXPECT_EQ(sha256_file_hex(out), sha256_file_hex(reference));
  EXPECT_NE(test::read_text(MountPaths::of(m).events_file()).find("rollback"), std::string::npos);
}

TEST_P(StateModel, AHandEditMakesTheNextStepFailNamingThePathUntilRestored) {
  fs::path m = mount("m", lazy());
  step(m, make_add_files_op(scratch / "one.txt", "Windows/one.txt"), "s1");
  write_text(m / "Windows/one.txt", "edited by hand\n");
  write_text(m / "Windows/stray.txt", "stray\n");
  test::MountSnapshot before = test::snapshot_mount(m);

  Error e = expect_error(hr::kInvalidData, [&] {
    step(m, make_set_registry_value_op(kKey, "V", "REG_SZ", "v"), "s2", "s1");
  });
  EXPECT_NE(std::string(e.what()).find("Windows/one.txt"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("Windows/stray.txt"), std::string::npos) << e.what();
  EXPECT_EQ(test::snapshot_diff(before, test::snapshot_mount(m)), "")
      << "the refused step changed the mount";

  std::vector<std::string> discarded;
  {
    ServicedMount sm = ServicedMount::open(m);
    TreeChanges untracked = sm.tree().scan_untracked_changes();
    EXPECT_EQ(untracked.modified, std::vector<std::string>{"Windows/one.txt"});
    EXPECT_EQ(untracked.added, std::vector<std::string>{"Windows/stray.txt"});
    discarded = sm.tree().restore_tracked();
    EXPECT_TRUE(sm.tree().scan_untracked_changes().empty());
  }
  EXPECT_EQ(discarded, (std::vector<std::string>{"Windows/one.txt", "Windows/stray.txt"}));
  EXPECT_EQ(test::read_text(m / "Windows/one.txt"), "one\n");
  EXPECT_FALSE(fs::exists(m / "Windows/stray.txt"));
  EXPECT_EQ(step(m, make_set_registry_value_op(kKey, "V", "REG_SZ", "v"), "s2", "s1").action, kRan);
}

TEST_P(StateModel, EveryRefusedInputLeavesTheMountUnchanged) {
  fs::path m = mount("m", lazy());
  step(m, make_set_registry_value_op(kKey, "V", "REG_SZ", "v"), "s1");
  write_text(scratch / "f.txt", "f");
  write_text(
      scratch / "bad.reg",
      "Windows Registry Editor Version 5.00\r\n\r\n[HKLM\\SOFTWARE\\X]\r\n\"v\"=dword:xyz\r\n");
  write_text(scratch / "hive.reg",
             "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_NOPE\\X]\r\n\"v\"=\"1\"\r\n");
  write_text(scratch / "bad.xml", "<unattend>");
  test::MountSnapshot before = test::snapshot_mount(m);
  std::string events = test::read_text(MountPaths::of(m).events_file());

  struct Refused {
    const char* what;
    HResult code;
    std::function<std::unique_ptr<Op>()> op;
    std::string session;
  };
  std::vector<Refused> cases = {
      {"escape ..", hr::kInvalidArg,
       [&] { return make_add_files_op(scratch / "f.txt", "../f.txt"); }},
      {"escape drive", hr::kInvalidArg,
       [&] { return make_add_files_op(scratch / "f.txt", "C:\\f.txt"); }},
      {"missing source", hr::kFileNotFound,
       [&] { return make_add_files_op(scratch / "nope", "Windows/x"); }},
      {"unknown hive", hr::kInvalidArg,
       [&] { return make_set_registry_value_op("HKLM\\NOPE\\X", "v", "REG_SZ", "v"); }},
      {"unknown root", hr::kInvalidArg,
       [&] { return make_set_registry_value_op("HKXX\\SOFTWARE\\X", "v", "REG_SZ", "v"); }},
      {"hive not in image", hr::kFileNotFound,
       [&] { return make_set_registry_value_op("HKCU\\Software\\X", "v", "REG_SZ", "v"); }},
      {"bad value type", hr::kInvalidArg,
       [&] { return make_set_registry_value_op(kKey, "v", "REG_FOO", "v"); }},
      {"bad dword", hr::kInvalidArg,
       [&] { return make_set_registry_value_op(kKey, "v", "REG_DWORD", "0x1ffffffff"); }},
      {"malformed .reg", hr::kInvalidData,
       [&] { return make_import_registry_op(scratch / "bad.reg"); }},
      {".reg with unknown hive", hr::kInvalidData,
       [&] { return make_import_registry_op(scratch / "hive.reg"); }},
      {"malformed unattend", hr::kInvalidData,
       [&] { return make_apply_unattend_op(scratch / "bad.xml"); }},
      {"missing registry key", hr::kFileNotFound,
       [&] { return make_delete_registry_key_op(kKey + std::string("\\Nope"), false); }},
      {"session not open", hr::kInvalidDismSession,
       [&] { return make_add_files_op(scratch / "f.txt", "Windows/f.txt"); }, "nope"},
  };
  for (const Refused& c : cases) {
    SCOPED_TRACE(c.what);
    std::unique_ptr<Op> op;
    Error e = expect_error(c.code, [&] {
      op = c.op();
      StepOptions options;
      options.session = c.session;
      options.after = scratch / "s1";
      options.stamp = scratch / "refused-stamp";
      run_step(m, *op, options);
    });
    EXPECT_FALSE(e.hint().empty()) << e.what();
    EXPECT_EQ(test::snapshot_diff(before, test::snapshot_mount(m)), "");
    EXPECT_FALSE(fs::exists(scratch / "refused-stamp"));
  }
  EXPECT_EQ(test::read_text(MountPaths::of(m).events_file()), events)
      << "a refused step was logged as a step";
}

// A refused step whose parent is an earlier state (an incremental build
// re-running step 1 with a bad input while the mount is at step 2) must
// leave the mount where it was, not half-way moved to the parent.
TEST_P(StateModel, ARefusedStepWithAnEarlierParentLeavesTheMountAtItsState) {
  fs::path m = mount("m", lazy());
  recipe(m, "s");
  test::MountSnapshot before = test::snapshot_mount(m);
  expect_error(hr::kInvalidArg, [&] {
    step(m, make_set_registry_value_op(kKey, "v", "REG_FOO", "x"), "bad", "s1");
  });
  test::MountSnapshot after = test::snapshot_mount(m);
  EXPECT_EQ(after.head_json, before.head_json) << "the mount moved to another state";
  EXPECT_EQ(after.states, before.states);
  EXPECT_EQ(test::snapshot_diff(before, after), "") << "the tree was changed by a refused step";
}

TEST_P(StateModel, AStampOfAnUnknownStateIsRefused) {
  fs::path m = mount("m", lazy());
  Stamp{"k", "0123456789abcdef", nullptr}.save(scratch / "alien", false);
  expect_error(hr::kNotFound, [&] {
    step(m, make_add_files_op(scratch / "one.txt", "Windows/one.txt"), "s1", "alien");
  });
}

// --- restore cost -----------------------------------------------------------

class RestoreCost : public StepsTest {
 protected:
  void SetUp() override {
    test::make_windows_tree(scratch / "tree");
    for (int i = 0; i < 300; ++i)
      write_text(scratch / "tree/Windows/WinSxS" / ("f" + std::to_string(i) + ".dll"),
                 "component " + std::to_string(i) + "\n");
    test::capture(scratch / "tree", wim, "Big");
    base_files = test::count_files(scratch / "tree");
    write_text(scratch / "one.txt", "one\n");
    write_text(scratch / "ov/Windows/WinSxS/f7.dll", "patched 7\n");
    write_text(scratch / "ov/Windows/WinSxS/f8.dll", "patched 8\n");
  }

  fs::path wim = scratch / "big.wim";
  size_t base_files = 0;
};

TEST_F(RestoreCost, RestoringTouchesOnlyThePathsThatDiffer) {
  fs::path m = mount("m", /*lazy=*/false, wim);
  ASSERT_GT(base_files, 300u);
  StepOutcome s1 = step(m, make_add_files_op(scratch / "one.txt", "Windows/one.txt"), "s1");
  StepOutcome s2 = step(m, make_add_files_op(scratch / "ov", ""), "s2", "s1");

  test::TreeStat at_s2 = test::stat_tree(m);
  {
    ServicedMount sm = ServicedMount::open(m);
    sm.tree().restore_to(s1.key);
  }
  test::TreeStat at_s1 = test::stat_tree(m);
  EXPECT_EQ(test::touched_between(at_s2, at_s1),
            (std::vector<std::string>{"Windows/WinSxS/f7.dll", "Windows/WinSxS/f8.dll"}));
  EXPECT_EQ(test::read_text(m / "Windows/WinSxS/f7.dll"), "component 7\n");

  // Re-running step 2 with one overlay file changed: the restore to step 1
  // and the step together touch the two overlay files, nothing else.
  write_text(scratch / "ov/Windows/WinSxS/f8.dll", "patched 8 again\n");
  EXPECT_EQ(step(m, make_add_files_op(scratch / "ov", ""), "s2", "s1").action, StepAction::kRan);
  EXPECT_LE(test::touched_between(at_s1, test::stat_tree(m)).size(), 2u);

  // Back to the first step 2: a restore, again of those two files only.
  write_text(scratch / "ov/Windows/WinSxS/f8.dll", "patched 8\n");
  test::TreeStat before = test::stat_tree(m);
  EXPECT_EQ(step(m, make_add_files_op(scratch / "ov", ""), "s2", "s1").action,
            StepAction::kRestored);
  EXPECT_LE(test::touched_between(before, test::stat_tree(m)).size(), 2u);
  EXPECT_EQ(test::read_text(m / "Windows/WinSxS/f8.dll"), "patched 8\n");
}

TEST_F(RestoreCost, ALazyMountExtractsOnlyWhatItsStepsTouch) {
  fs::path m = mount("m", /*lazy=*/true, wim);
  step(m, make_add_files_op(scratch / "one.txt", "Windows/one.txt"), "s1");
  step(m, make_add_files_op(scratch / "ov", ""), "s2", "s1");
  step(m, make_set_registry_value_op(kKey, "V", "REG_DWORD", "1"), "s3", "s2");
  step(m, make_rename_path_op("Windows/WinSxS/f9.dll", "Windows/WinSxS/f9.old"), "s4", "s3");
  // one.txt, f7, f8, SOFTWARE, f9.old.
  EXPECT_EQ(test::count_files(m), 5u);
  {
    ServicedMount sm = ServicedMount::open(m);
    sm.tree().restore_to(sm.state().catalog().load(sm.state().head().current_key)->parent);
  }
  EXPECT_LE(test::count_files(m), 5u);
  fs::path out = commit(m, "out.wim", "s4");
  EXPECT_EQ(test::wim_file(out, 1, "/Windows/WinSxS/f9.old"), "component 9\n");
  EXPECT_EQ(test::wim_file(out, 1, "/Windows/WinSxS/f7.dll"), "patched 7\n");
  EXPECT_EQ(test::wim_file(out, 1, "/Windows/WinSxS/f100.dll"), "component 100\n");
}

}  // namespace
}  // namespace dismake
