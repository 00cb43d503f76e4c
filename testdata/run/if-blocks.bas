' IF / ELSEIF / ELSE picks the first arm whose condition holds.
ON WEBHOOK POST TO "/t" DO
  FOR I = 1 TO 4
    IF I = 1 THEN
      PRINT "one"
    ELSEIF I = 2 THEN
      PRINT "two"
    ELSEIF I = 2 OR I = 3 THEN
      PRINT "three"
    ELSE
      PRINT "other"
    END IF
    PRINT ","
  NEXT
END ON
