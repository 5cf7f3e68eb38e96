#!/bin/sh
# Ví dụ plugin bên ngoài cho sansang (example external plugin). Xem docs/plugins.md.
#
# sansang gửi một đối tượng JSON trên stdin:
#   {"endpoint": {"host", "port", "scheme", "path", "target"}, "settings": {...hệ thống...}, "sansang": {"version", "timeoutSeconds"}}
# và đọc stdout, mỗi dòng một đối tượng JSON:
#   {"fact": {...}}      -> dữ kiện, đọc được trong quy tắc khai báo dưới dạng plugin.<tên>.<khóa>
#   {"finding": {...}}   -> phát hiện, id thành plugin.<tên>.<id>
# Mã thoát khác 0, treo quá thời hạn, hoặc dòng không phải JSON => phát hiện plugin.error.
set -eu

input=$(cat)
# Không dùng jq để ví dụ chạy được ở mọi nơi: lấy host bằng sed.
host=$(printf '%s' "$input" | sed -n 's/.*"host":"\([^"]*\)".*/\1/p')

printf '{"fact": {"hello": "xin chào", "host": "%s"}}\n' "$host"

# Một kiểm tra riêng của tỉnh: tệp đánh dấu phải tồn tại trên máy chạy sansang.
if [ ! -f /etc/sansang-province-ok ]; then
  cat <<JSON
{"finding": {"id": "marker.missing", "severity": "low", "title": {"vi": "Chưa có tệp đánh dấu của tỉnh", "en": "The province marker file is missing"}, "subject": "$host", "evidence": "/etc/sansang-province-ok does not exist", "remediation": {"vi": "Tạo tệp /etc/sansang-province-ok sau khi hoàn tất rà soát.", "en": "Create /etc/sansang-province-ok once the review is done."}, "requirements": []}}
JSON
fi
