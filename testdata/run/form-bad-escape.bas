' A form body with a bad % escape is unreadable: GET FORM VALUE answers 400.
ON WEBHOOK POST TO "/t" DO
  PRINT "before"
  PRINT GET FORM VALUE "a"
END ON
