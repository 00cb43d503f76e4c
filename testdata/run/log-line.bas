' LOG writes one line with file:line and the request id.
ON WEBHOOK POST TO "/t" DO
  X = 42
  LOG "the answer is " + X
  PRINT "logged"
END ON
