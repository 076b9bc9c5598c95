// DismGetLastErrorMessage is per thread: a failure on one thread never
// overwrites the message another thread is about to read.
#include <thread>

#include "support/capi_test_support.h"

namespace capi_test {
namespace {

TEST_F(CapiTest, LastErrorMessageIsPerThread) {
  Latch a_failed(1), b_failed(1);
  std::string a_message, b_message, c_message;
  HRESULT c_result = S_OK;
  std::thread a([&] {
    DismSession session = DISM_SESSION_DEFAULT;
    EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND),
              DismOpenSession(L"/no/such/image", nullptr, nullptr, &session));
    a_failed.count_down();
    b_failed.wait();  // B has failed since: A must still read its own
    a_message = last_error_message();
  });
  std::thread b([&] {
    a_failed.wait();
    DismImageInfo* info = nullptr;
    UINT count = 0;
    EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
              DismGetImageInfo(L"/no/such/file.wim", &info, &count));
    b_failed.count_down();
    b_message = last_error_message();
  });
  std::thread c([&] {
    b_failed.wait();
    DismString* message = reinterpret_cast<DismString*>(&c_result);
    c_result = DismGetLastErrorMessage(&message);
    EXPECT_EQ(nullptr, message);
  });
  a.join();
  b.join();
  c.join();
  EXPECT_NE(std::string::npos, a_message.find("/no/such/image")) << a_message;
  EXPECT_NE(std::string::npos, a_message.find("0x80070003")) << a_message;
  EXPECT_NE(std::string::npos, b_message.find("/no/such/file.wim")) << b_message;
  EXPECT_EQ(std::string::npos, b_message.find("/no/such/image")) << b_message;
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_NOT_FOUND), c_result);
}

TEST_F(CapiTest, SuccessDoesNotClearTheMessage) {
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION), DismCloseSession(99999));
  DismImageInfo* info = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetImageInfo(wide(fixture("single.wim")).c_str(), &info, &count));
  EXPECT_EQ(S_OK, DismDelete(info));
  std::string message = last_error_message();
  EXPECT_NE(std::string::npos, message.find("99999")) << message;
  EXPECT_NE(std::string::npos, message.find("DISMAPI_E_INVALID_DISM_SESSION")) << message;
}

TEST_F(CapiTest, UnicodeSurvivesTheRoundTrip) {
  DismSession session = DISM_SESSION_DEFAULT;
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND),
            DismOpenSession(L"/nowhere/Документы/日本語", nullptr, nullptr, &session));
  DismString* message = nullptr;
  ASSERT_EQ(S_OK, DismGetLastErrorMessage(&message));
  EXPECT_NE(nullptr, std::wcsstr(message->Value, L"/nowhere/Документы/日本語"));
  EXPECT_EQ(S_OK, DismDelete(message));
  // A lone surrogate is no Unicode text.
  const wchar_t bad[] = {L'/', static_cast<wchar_t>(0xD800), 0};
  EXPECT_EQ(E_INVALIDARG, DismOpenSession(bad, nullptr, nullptr, &session));
}

}  // namespace
}  // namespace capi_test
