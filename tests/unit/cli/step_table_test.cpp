// The step commands' table (cli/step_table.h): every row registered with
// the options all steps share, and what the command line gives reaching the
// op by argument name, including the forms CLI11 would take otherwise
// ("-R" as an option, "--" ending --paths, an option given empty).
#include "step_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace dismake::cli {
namespace {

const StepCommand& row(const std::string& name) {
  for (const StepCommand& command : step_command_table())
    if (command.name == name) return command;
  throw std::runtime_error("no step command " + name);
}

// Parses `args` (after the program's name) with the one step command
// `name` registered; the values it gave, or none when `parsed` never ran.
struct Parsed {
  std::shared_ptr<StepValues> values = std::make_shared<StepValues>();
  bool ran = false;
};

Parsed parse(const std::string& name, std::vector<std::string> args) {
  CLI::App app("test");
  app.require_subcommand(1);
  Parsed parsed;
  add_step_command(app, row(name), parsed.values, [&parsed] { parsed.ran = true; });
  args.insert(args.begin(), name);
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  app.parse(args);
  return parsed;
}

TEST(StepTableTest, EveryCommandIsRegisteredOnceWithTheSharedOptions) {
  CLI::App app("test");
  std::set<std::string> names;
  for (const StepCommand& command : step_command_table()) {
    EXPECT_TRUE(names.insert(command.name).second) << command.name << " is in the table twice";
    EXPECT_TRUE(command.make_op) << command.name;
    CLI::App* cmd = add_step_command(app, command, std::make_shared<StepValues>(), [] {});
    for (const char* shared : {"mount-dir", "--session", "--after", "--stamp", "--depfile"})
      EXPECT_NO_THROW(cmd->get_option(shared)) << command.name << " lacks " << shared;
  }
  EXPECT_EQ(names.size(), 15u);
  EXPECT_EQ(names.count("set-registry-value"), 1u);
  EXPECT_EQ(names.count("set-registry-values"), 1u);
}

TEST(StepTableTest, ArgumentsReachTheOpByName) {
  Parsed p = parse("set-registry-value", {"/m", "HKLM\\SOFTWARE\\Contoso", "Build", "REG_SZ", "one",
                                          "--stamp", "s1.json"});
  ASSERT_TRUE(p.ran);
  EXPECT_EQ(p.values->mount_dir, "/m");
  StepOptions options = p.values->options();
  EXPECT_EQ(options.stamp, std::filesystem::path("s1.json"));
  EXPECT_FALSE(options.after);
  std::unique_ptr<Op> op = row("set-registry-value").make_op(*p.values);
  EXPECT_EQ(op->name(), "set-registry-value");
  nlohmann::json spec = op->spec();
  EXPECT_EQ(spec.at("key"), "HKLM\\SOFTWARE\\Contoso");
  EXPECT_EQ(spec.at("name"), "Build");
  EXPECT_EQ(spec.at("type"), "REG_SZ");
  EXPECT_EQ(spec.at("data"), "one");
}

TEST(StepTableTest, AMissingArgumentIsRefusedBeforeAnyOp) {
  EXPECT_THROW(parse("rename", {"/m", "Windows/a.txt"}), CLI::RequiredError);
  EXPECT_THROW(parse("set-security", {"/m", "Windows/a.txt"}), CLI::RequiredError);
}

TEST(StepTableTest, ListsAndFlags) {
  Parsed p = parse("delete", {"/m", "a.txt", "b/c.txt"});
  EXPECT_EQ(p.values->list("image-paths"), (std::vector<std::string>{"a.txt", "b/c.txt"}));
  EXPECT_FALSE(p.values->flag("--if-exists"));
  p = parse("delete", {"/m", "a.txt", "--if-exists"});
  EXPECT_TRUE(p.values->flag("--if-exists"));
  EXPECT_EQ(row("delete").make_op(*p.values)->spec().dump(),
            R"({"if_exists":true,"paths":["a.txt"]})");
}

TEST(StepTableTest, SetAttributesTakesItsChangesAsExtras) {
  Parsed p = parse("set-attributes", {"/m", "Windows/a.txt", "+H", "-R", "+S"});
  EXPECT_EQ(p.values->text("image-path"), "Windows/a.txt");
  EXPECT_EQ(p.values->extras, (std::vector<std::string>{"+H", "-R", "+S"}));
  nlohmann::json spec = row("set-attributes").make_op(*p.values)->spec();
  EXPECT_NE(spec.at("set"), 0);
  EXPECT_NE(spec.at("clear"), 0);
}

TEST(StepTableTest, RunLeavesWhatFollowsDoubleDashToTheCommand) {
  Parsed p = parse("run", {"/m", "--paths", "Windows", "--", "sh", "-c", "true"});
  EXPECT_EQ(p.values->list("--paths"), (std::vector<std::string>{"Windows"}));
  EXPECT_EQ(p.values->list("command"), (std::vector<std::string>{"sh", "-c", "true"}));
  EXPECT_FALSE(p.values->flag("--network"));
}

TEST(StepTableTest, AnOptionGivenEmptyIsGivenNotAbsent) {
  Parsed p = parse("set-image-info", {"/m", "--description", ""});
  EXPECT_EQ(p.values->option("--description"), std::optional<std::string>(""));
  EXPECT_EQ(p.values->option("--name"), std::nullopt);
}

}  // namespace
}  // namespace dismake::cli
