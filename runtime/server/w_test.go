package server
import ("testing";"github.com/gbhook/gbhook/lang")
func TestX(t *testing.T){
 tb:=[]lang.Builtin{{Name:"PRINT",MinArgs:0,MaxArgs:-1,Stmt:true,PathArg:-1},{Name:"SET RESPONSE HEADER",MinArgs:2,MaxArgs:2,Stmt:true,PathArg:-1}}
 src:="ON WEBHOOK GET TO \"/a\" DO\n  WHILE 1 = 1 : WEND\n  SET RESPONSE HEADER \"X\" TO \"y\"\nEND ON\nSUB S X$\n PRINT X$\nEND SUB\nON WEBHOOK GET TO \"/b\" DO\n SPAWN S \"q\"\nEND ON\n"
 _,err:=lang.CheckSources([]lang.Source{{Name:"t.bas",Text:[]byte(src)}},tb)
 t.Log(err)
}
