' Outbound calls to loopback, private and link-local addresses are refused before connecting (GBHOOK_HTTP_ALLOW_PRIVATE unset); the error names the call's line and the URL without its query.
ON WEBHOOK POST TO "/t" DO
  SET HEADER "Authorization", "Bearer not-logged"
  R = HTTP REQUEST "GET", "http://169.254.169.254/latest/meta-data/?token=x", ""
END ON
