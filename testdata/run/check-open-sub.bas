' A SUB left open is reported at the line of its SUB statement.
ON WEBHOOK POST TO "/t" DO
  PRINT "x"
END ON

SUB NEVER CLOSED
  WHILE 1 = 1
  WEND
