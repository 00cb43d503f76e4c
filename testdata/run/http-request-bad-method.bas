' HTTP REQUEST checks its method before calling anything.
ON WEBHOOK POST TO "/t" DO
  R = HTTP REQUEST "GET THIS", "https://example.com/", ""
END ON
