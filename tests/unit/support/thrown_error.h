// What a call throws, for tests of refusals: the HRESULT of the
// dismake::Error it throws, the Error itself, or an assertion on both.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string>

#include "dismake/base/error.h"
#include "dismake/base/hresult.h"

namespace dismake::test {

// The HRESULT `call` throws, or S_OK when it returns.
template <class Call>
HResult hresult_of(Call&& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.code();
  }
  return hr::kOk;
}

// The Error `call` throws; fails the test when it throws none, naming
// `input` (what the call was given) when there is one.
template <class Call>
Error error_of(Call&& call, const std::string& input = "") {
  try {
    call();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error" << (input.empty() ? "" : " for " + input);
  return Error(hr::kOk, "");
}

// Asserts that `call` throws a dismake::Error with `code` and a message;
// returns the error.
template <class Call>
Error expect_error(HResult code, Call&& call) {
  try {
    call();
  } catch (const Error& e) {
    EXPECT_EQ(format_hresult(e.code()), format_hresult(code)) << e.what();
    EXPECT_FALSE(e.problem().empty());
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a dismake::Error: " << e.what();
    return Error(hr::kFail, e.what());
  }
  ADD_FAILURE() << "no error; expected " << format_hresult(code);
  return Error(hr::kOk, "");
}

}  // namespace dismake::test
