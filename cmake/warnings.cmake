# tc_set_warnings(target): the project's warning set; -Werror when TC_WERROR (CI) is on.
add_library(tc_build_flags INTERFACE)
target_compile_options(tc_build_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
  -Wnon-virtual-dtor -Wno-missing-field-initializers)
if(TC_WERROR)
  target_compile_options(tc_build_flags INTERFACE -Werror)
endif()
if(TC_SANITIZE STREQUAL "thread")
  set(tc_sanitize_flags -fsanitize=thread)
  # ThreadSanitizer does not model std::atomic_thread_fence (g++ refuses it under -Werror=tsan).
  # Asio's only fences are its fenced_block around handler invocation; the scheduler's mutex
  # already orders a handler after its post, so the TSan build runs without them.
  target_compile_definitions(tc_build_flags INTERFACE BOOST_ASIO_DISABLE_FENCED_BLOCK)
elseif(TC_SANITIZE STREQUAL "address" OR TC_SANITIZE STREQUAL "ON")
  set(tc_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined)
elseif(TC_SANITIZE AND NOT TC_SANITIZE STREQUAL "OFF")
  message(FATAL_ERROR "TC_SANITIZE=${TC_SANITIZE}: use address, thread or leave it empty")
endif()
if(tc_sanitize_flags)
  target_compile_options(tc_build_flags INTERFACE ${tc_sanitize_flags} -fno-omit-frame-pointer)
  target_link_options(tc_build_flags INTERFACE ${tc_sanitize_flags})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 with -fsanitize reports maybe-uninitialized inside libstdc++ (<regex>'s _State,
    # std::function) and Boost (Beast's basic_parser optional): false positives that break -Werror.
    target_compile_options(tc_build_flags INTERFACE -Wno-maybe-uninitialized)
  endif()
endif()
# Boost.Asio/Beast: header-only, standalone error_code path.
target_compile_definitions(tc_build_flags INTERFACE BOOST_ASIO_NO_DEPRECATED
  BOOST_BEAST_USE_STD_STRING_VIEW SIMDJSON_EXCEPTIONS=0)

# tc_public_headers(target): the stage's include/ folder is the only one other targets see.
function(tc_public_headers target)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
  else()
    target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  endif()
endfunction()

# White-box access for tests, benchmarks and fuzzers only (never linked by a stage library):
# src/ on the include path, so a unit test can include its stage's internal headers
# ("http/session.h", "sink/sqlite/sqlite_sink.h").
add_library(tc_internal_headers INTERFACE)
target_include_directories(tc_internal_headers INTERFACE ${CMAKE_SOURCE_DIR}/src)
