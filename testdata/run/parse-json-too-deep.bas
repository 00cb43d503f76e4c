' JSON nested 1001 levels deep answers 400.
ON WEBHOOK POST TO "/t" DO
  PRINT "before"
  J = PARSE JSON GET REQUEST BODY
  PRINT "never"
END ON
