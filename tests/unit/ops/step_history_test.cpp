// Why a step ran, as reasons_step_ran tells it from the previous build's
// records, and the history's files: a build snapshots the records and drops
// those of steps no longer in the recipe.
#include "dismake/ops/step_history.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace dismake {
namespace {

namespace fs = std::filesystem;
using Reasons = std::vector<std::string>;

StepRecord record(const std::string& step, const std::string& op, nlohmann::json spec,
                  std::vector<InputEntry> inputs = {}, std::string parent = "p",
                  std::string base = "b") {
  StepRecord r;
  r.step = step;
  r.op = op;
  r.spec = std::move(spec);
  r.inputs = std::move(inputs);
  r.parent = std::move(parent);
  r.base = std::move(base);
  r.key = "k-" + step + r.parent + r.spec.dump();
  return r;
}

Reasons reasons(const StepRecord& now, const std::vector<StepRecord>& before,
                std::optional<StepRecord>* previous = nullptr) {
  std::optional<StepRecord> unused;
  return reasons_step_ran(now, before, previous ? previous : &unused);
}

TEST(ReasonsStepRan, FirstBuildAndNewStep) {
  EXPECT_EQ(reasons(record("002-add", "add", {{"source", "a"}}), {}), Reasons{"first build"});
  std::vector<StepRecord> before = {record("002-delete", "delete", {{"paths", {"x"}}})};
  EXPECT_EQ(reasons(record("003-add", "add", {{"source", "a"}}), before), Reasons{"new step"});
}

TEST(ReasonsStepRan, InputsAddedChangedRemoved) {
  std::vector<StepRecord> before = {record(
      "002-add", "add", {{"source", "o"}},
      {{"/s/o/a", "o/a", "sha256:1"}, {"/s/o/b", "o/b", "sha256:2"}, {"/s/o/c", "o/c", "d"}})};
  StepRecord now = record("002-add", "add", {{"source", "o"}},
                          {{"/s/o/a", "o/a", "sha256:9"},
                           {"/s/o/b", "o/b", "sha256:2"},
                           {"/s/o/n", "o/n", "sha256:3"}});
  std::optional<StepRecord> previous;
  EXPECT_EQ(reasons(now, before, &previous),
            (Reasons{"input o/a changed", "input o/n added", "input o/c removed"}));
  ASSERT_TRUE(previous);
  EXPECT_EQ(previous->step, "002-add");
}

TEST(ReasonsStepRan, ArgumentChanged) {
  std::vector<StepRecord> before = {record("002-set", "set", {{"data", "1"}, {"name", "A"}})};
  EXPECT_EQ(reasons(record("002-set", "set", {{"data", "2"}, {"name", "A"}}), before),
            Reasons{"argument data changed ('1' -> '2')"});
}

// A run of registry values: the value that changed, by its key and name,
// not the whole list (which would fill the console's line).
TEST(ReasonsStepRan, OneValueOfARunChanged) {
  auto run = [](const std::string& data, const std::string& last_name) {
    nlohmann::json values = nlohmann::json::array();
    values.push_back({{"key", "HKLM\\S\\C"}, {"name", "A"}, {"type", "REG_SZ"}, {"data", "a"}});
    values.push_back({{"key", "HKLM\\S\\C"}, {"name", "B"}, {"type", "REG_SZ"}, {"data", data}});
    values.push_back(
        {{"key", "HKLM\\S\\C"}, {"name", last_name}, {"type", "REG_SZ"}, {"data", ""}});
    return nlohmann::json{{"values", values}};
  };
  std::vector<StepRecord> before = {
      record("004-set-registry-values", "set-registry-values", run("1", ""))};
  EXPECT_EQ(reasons(record("004-set-registry-values", "set-registry-values", run("2", "")), before),
            Reasons{"argument values: HKLM\\S\\C\\B changed (data '1' -> '2')"});
  EXPECT_EQ(
      reasons(record("004-set-registry-values", "set-registry-values", run("1", "D")), before),
      Reasons{"argument values: HKLM\\S\\C\\D (was HKLM\\S\\C (default value)) changed "
              "(name '' -> 'D')"});
  nlohmann::json longer = run("1", "");
  longer["values"].push_back(longer["values"][0]);
  EXPECT_EQ(reasons(record("004-set-registry-values", "set-registry-values", longer), before),
            Reasons{"argument values has 4 items (had 3)"});
}

TEST(ReasonsStepRan, InsertedOrRemovedBeforeIt) {
  std::vector<StepRecord> before = {record("002-set", "set", {{"data", "1"}}),
                                    record("003-add", "add", {{"source", "o"}})};
  std::optional<StepRecord> previous;
  EXPECT_EQ(reasons(record("004-add", "add", {{"source", "o"}}, {}, "q"), before, &previous),
            Reasons{"step inserted before it"});
  EXPECT_EQ(previous->step, "003-add");
  EXPECT_EQ(reasons(record("002-add", "add", {{"source", "o"}}, {}, "q"), before),
            Reasons{"step removed before it"});
}

TEST(ReasonsStepRan, ParentOrBaseChanged) {
  std::vector<StepRecord> before = {record("003-add", "add", {{"source", "o"}})};
  EXPECT_EQ(reasons(record("003-add", "add", {{"source", "o"}}, {}, "q"), before),
            Reasons{"an earlier step changed the image"});
  EXPECT_EQ(reasons(record("003-add", "add", {{"source", "o"}}, {}, "q", "c"), before),
            Reasons{"the base image changed"});
}

TEST(ReasonsStepRan, ManyInputsAreCounted) {
  std::vector<InputEntry> old_inputs, new_inputs;
  for (int i = 0; i < 6; ++i) {
    std::string name = "o/" + std::to_string(i);
    old_inputs.push_back({"/s/" + name, name, "sha256:1"});
    new_inputs.push_back({"/s/" + name, name, "sha256:2"});
  }
  std::vector<StepRecord> before = {record("002-add", "add", {{"source", "o"}}, old_inputs)};
  Reasons got = reasons(record("002-add", "add", {{"source", "o"}}, new_inputs), before);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got.back(), "and 3 more");
}

TEST(StepHistoryFiles, BuildSnapshotsAndDropsStepsNoLongerInTheRecipe) {
  fs::path dir = fs::path(::testing::TempDir()) / "step_history_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  StepHistory history(dir);
  history.begin_build(std::nullopt, EnsureRecord{"mounted", "", "b", "r", true});
  EXPECT_EQ(history.build(), 1);
  EXPECT_TRUE(history.previous_build().empty());
  StepRecord add = record("002-add", "add", {{"source", "o"}});
  add.build = history.build();
  history.save(add, std::nullopt);
  history.save(record("003-set", "set", {{"data", "1"}}), std::nullopt);

  history.begin_build(std::vector<std::string>{"001-open-session", "002-add"},
                      EnsureRecord{"reused", "", "b", "r2", true});
  EXPECT_EQ(history.build(), 2);
  // The snapshot holds both; the removed step's record is gone.
  EXPECT_EQ(history.previous_build().size(), 2u);
  EXPECT_TRUE(history.load("002-add"));
  EXPECT_FALSE(history.load("003-set"));
  EXPECT_EQ(history.steps(), (std::vector<std::string>{"001-open-session", "002-add"}));
  ASSERT_TRUE(history.ensure());
  EXPECT_EQ(history.ensure()->action, "reused");

  fs::path kept = StepHistory::set_aside(dir);
  EXPECT_FALSE(history.load("002-add"));
  StepHistory::bring_back(kept, dir);
  EXPECT_TRUE(history.load("002-add"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dismake
