// DismDelete: releases anything a function returned (see result_buffer.h).
#include "api_call.h"
#include "api_state.h"
#include "result_buffer.h"

using namespace dismake::capi;

extern "C" HRESULT WINAPI DismDelete(VOID* DismStructure) {
  return api_call("DismDelete", LastError::kKeep, [&] {
    current_runtime();
    // Microsoft's samples release every result unconditionally, also the
    // ones a failed call left NULL.
    if (DismStructure) free_result(DismStructure);
  });
}
