# tc_set_warnings(target): the project's warning set; -Werror when TC_WERROR (CI) is on.
add_library(tc_build_flags INTERFACE)
target_compile_options(tc_build_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
  -Wnon-virtual-dtor -Wno-missing-field-initializers)
if(TC_WERROR)
  target_compile_options(tc_build_flags INTERFACE -Werror)
endif()
if(TC_SANITIZE)
  target_compile_options(tc_build_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(tc_build_flags INTERFACE -fsanitize=address,undefined)
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
