# SPDX-License-Identifier: Apache-2.0
# Warnings, hardening and sanitizers, applied per target so that third-party
# headers pulled through pkg-config keep their own flags.
set(TS_WARN_FLAGS -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wvla -Wno-unused-parameter)
if(TS_WERROR)
  list(APPEND TS_WARN_FLAGS -Werror)
endif()

set(TS_HARDEN_FLAGS -fstack-protector-strong -fstack-clash-protection -fPIE)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  list(APPEND TS_HARDEN_FLAGS -fcf-protection=full)
endif()
set(TS_HARDEN_LINK -pie -Wl,-z,relro,-z,now,-z,noexecstack)

set(TS_SAN_FLAGS)
if(TS_TSAN)
  set(TS_SAN_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
elseif(TS_FUZZ)
  # Coverage instrumentation in the library too, or libFuzzer would only see
  # the harness; the fuzz targets add the fuzzer's main() themselves.
  set(TS_SAN_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
elseif(TS_SANITIZE)
  set(TS_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
endif()

function(ts_apply_flags target)
  target_compile_options(${target} PRIVATE ${TS_WARN_FLAGS} ${TS_HARDEN_FLAGS} ${TS_SAN_FLAGS})
  # _FORTIFY_SOURCE needs optimisation; sanitizer builds use their own checks.
  if(NOT TS_SANITIZE AND NOT TS_FUZZ AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
    target_compile_definitions(${target} PRIVATE _FORTIFY_SOURCE=3)
  endif()
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE
      TS_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
      TS_CORPUS_DIR="${CMAKE_SOURCE_DIR}/../shared/corpus")
  target_link_options(${target} PRIVATE ${TS_HARDEN_LINK} ${TS_SAN_FLAGS})
endfunction()
