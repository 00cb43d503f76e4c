' A computed status outside 200..599 is a runtime error, 500, at the statement.
ON WEBHOOK POST TO "/t" DO
  PRINT "x"
  SET RESPONSE STATUS TO 500 + 100
END ON
