' A variable assigned only on another path is a runtime error at the read, 500.
ON WEBHOOK POST TO "/t" DO
  IF GET QUERY VALUE "x" = "1" THEN
    Y = 1
  END IF
  PRINT "before"
  PRINT Y + 1
END ON
