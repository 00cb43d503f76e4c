' SELECT CASE with several values per CASE, strings, and CASE ELSE.
ON WEBHOOK POST TO "/t" DO
  FOR I = 1 TO 5
    SELECT CASE I
      CASE 1, 3
        PRINT "odd"
      CASE 2
        PRINT "two"
      CASE 4, 2
        PRINT "four"
      CASE ELSE
        PRINT "else"
    END SELECT
    PRINT ","
  NEXT I
  SELECT CASE "b"
    CASE "a"
      PRINT "A"
    CASE "c", "b"
      PRINT "B"
  END SELECT
  SELECT CASE 9
    CASE 1
      PRINT "no"
  END SELECT
END ON
