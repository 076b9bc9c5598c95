// The servicing steps' commands as one table: each row names a command, its
// arguments (after the mount directory and the options every step shares)
// and how its op is made from what they were given. add_step_command
// registers any row the same way; step_commands.cpp runs the op.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dismake/ops/op.h"
#include "dismake/ops/step_runner.h"

namespace dismake::cli {

// One argument of a step command: a positional, or an option when its name
// starts with "--".
struct StepArgument {
  enum class Form {
    kText,  // one value
    kList,  // several values (an option's stop at the next option or --)
    kFlag,  // no value: given or not
  };
  std::string name;
  std::string help;
  Form form = Form::kText;
  bool required = false;
};

// What a step command was given: the mount and the shared options, and its
// arguments by name.
struct StepValues {
  std::string mount_dir;
  std::string session;
  std::string after;
  std::string stamp;
  std::string depfile;
  std::map<std::string, std::string> texts;
  std::map<std::string, std::vector<std::string>> lists;
  std::map<std::string, bool> flags;
  std::set<std::string> given;      // the arguments given on the command line
  std::vector<std::string> extras;  // a command that takes extras: what it got

  const std::string& text(const std::string& name) const { return texts.at(name); }
  // An option's value; none when it was not given ("" when given empty).
  std::optional<std::string> option(const std::string& name) const;
  const std::vector<std::string>& list(const std::string& name) const { return lists.at(name); }
  bool flag(const std::string& name) const { return flags.at(name); }
  StepOptions options() const;
};

struct StepCommand {
  std::string name;
  std::string help;
  std::vector<StepArgument> arguments;
  std::function<std::unique_ptr<Op>(const StepValues&)> make_op;
  // Arguments it does not name are its extras (set-attributes' "-R", which
  // would read as an option); the footer says what they are.
  bool takes_extras = false;
  std::string footer;
};

// Every step command, in the order of `dismake --help`.
const std::vector<StepCommand>& step_command_table();

// Registers `command` on `app` with its arguments bound to `values`; once
// the command line is parsed, `values` holds what was given and `parsed`
// is called.
CLI::App* add_step_command(CLI::App& app, const StepCommand& command,
                           std::shared_ptr<StepValues> values, std::function<void()> parsed);

}  // namespace dismake::cli
