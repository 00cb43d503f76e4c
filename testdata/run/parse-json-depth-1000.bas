' JSON nested exactly 1000 levels deep is accepted.
ON WEBHOOK POST TO "/t" DO
  J = PARSE JSON GET REQUEST BODY
  PRINT LEN(J)
END ON
