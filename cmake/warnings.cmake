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
target_include_directories(tc_build_flags INTERFACE ${CMAKE_SOURCE_DIR}/src)
