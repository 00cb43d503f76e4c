' RETURN leaves a FUNCTION from inside nested blocks, and RETURN leaves the handler.
FUNCTION FIND FIRST(LIMIT)
  FOR I = 1 TO 10
    WHILE 1 = 1
      SELECT CASE I
        CASE LIMIT
          IF I > 0 THEN
            RETURN "found " & I
          END IF
      END SELECT
      EXIT WHILE
    WEND
  NEXT I
  RETURN "none"
END FUNCTION

ON WEBHOOK POST TO "/t" DO
  PRINT FIND FIRST(4); ","; FIND FIRST(40); ","
  FOR I = 1 TO 3
    DO WHILE 1 = 1
      IF I = 2 THEN
        PRINT "leaving"
        RETURN
      END IF
      EXIT DO
    LOOP
    PRINT I
  NEXT I
  PRINT "never"
END ON
