' A computed 1xx status is a runtime error, 500: it would be sent as an
' interim answer followed by a second one.
ON WEBHOOK POST TO "/t" DO
  PRINT "x"
  SET RESPONSE STATUS TO 99 + 2
END ON
