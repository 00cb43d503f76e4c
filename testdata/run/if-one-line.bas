' One-line IF: everything after THEN belongs to the IF; ELSE on one line.
ON WEBHOOK POST TO "/t" DO
  X = 1
  IF X = 2 THEN PRINT "a" : PRINT "b"
  IF X = 1 THEN PRINT "c" : PRINT "d"
  IF X = 2 THEN PRINT "e" ELSE PRINT "f"
  IF X = 1 THEN PRINT "g" ELSE PRINT "h"
  PRINT "|"
END ON
