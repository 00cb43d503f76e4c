' PRINT joins its ;-separated values exactly, adding no newline or space.
ON WEBHOOK POST TO "/t" DO
  PRINT "a"; 1; (1 = 1); ""
  PRINT
  PRINT "b"
END ON
