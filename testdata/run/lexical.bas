' Keywords and names fold case; "" is a quote; ' starts a comment outside strings; curly quotes read as ".
on webhook post to "/t" do
  let name$ = "it's ""quoted"""  ' trailing comment
  Print NAME$; "|"; “curly”; "|"
  REM a remark
  x = 1 : X = X + 1 : print x
  IF x = 2 THEN PRINT "|a" : PRINT "b" ELSE PRINT "c" : PRINT "d"
end on
