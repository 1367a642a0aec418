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
target_include_directories(tc_build_flags INTERFACE ${CMAKE_SOURCE_DIR}/src)
