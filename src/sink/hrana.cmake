# The Hrana-over-HTTP sink (sqld / Turso / tursodb --sync-server), as its own library so the
# sink stage links it: include(hrana.cmake) from src/sink/CMakeLists.txt after tc_sink exists.
add_library(tc_hrana STATIC
  ${CMAKE_CURRENT_LIST_DIR}/curl_pool.cc
  ${CMAKE_CURRENT_LIST_DIR}/hrana_batch.cc
  ${CMAKE_CURRENT_LIST_DIR}/hrana_client.cc
  ${CMAKE_CURRENT_LIST_DIR}/hrana_encoder.cc
  ${CMAKE_CURRENT_LIST_DIR}/hrana_errors.cc
  ${CMAKE_CURRENT_LIST_DIR}/hrana_float.cc
  ${CMAKE_CURRENT_LIST_DIR}/hrana_response.cc
  ${CMAKE_CURRENT_LIST_DIR}/hrana_sink.cc)
target_link_libraries(tc_hrana PUBLIC tc_storage tc_schema tc_common CURL::libcurl
  simdjson::simdjson)
if(TARGET tc_sink)
  target_link_libraries(tc_sink PUBLIC tc_hrana)
endif()
