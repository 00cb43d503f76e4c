' The same METHOD + path twice is a check error naming both places.
ON WEBHOOK POST TO "/t" DO
  PRINT "a"
END ON

ON WEBHOOK POST TO "/t" DO
  PRINT "b"
END ON
