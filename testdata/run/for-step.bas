' FOR with positive, negative and fractional STEP; NEXT with or without the name.
ON WEBHOOK POST TO "/t" DO
  FOR I = 1 TO 7 STEP 3
    PRINT I; " "
  NEXT I
  PRINT "|"
  FOR I = 3 TO 1 STEP -1
    PRINT I; " "
  NEXT
  PRINT "|"
  FOR X = 0 TO 1 STEP 0.25
    PRINT X; " "
  NEXT X
  PRINT "|"
  FOR X = 1 TO 0 STEP -0.25 : PRINT X; " " : NEXT
  PRINT "|"
  FOR I = 5 TO 1
    PRINT "never"
  NEXT I
  PRINT "after:"; I
END ON
