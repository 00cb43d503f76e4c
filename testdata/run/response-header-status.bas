' SET RESPONSE STATUS may come after PRINT; headers are set by name.
ON WEBHOOK POST TO "/t" DO
  PRINT "{""ok"":true}"
  SET RESPONSE HEADER "Content-Type" TO "application/json"
  SET RESPONSE HEADER "X-Custom" TO "v" & 1
  SET RESPONSE STATUS TO 201
  SET RESPONSE STATUS TO 202
END ON
