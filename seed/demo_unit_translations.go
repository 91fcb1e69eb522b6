package seed

import (
	"naptracker/domain"
)

// demoUnitLabels are the demo's unit labels in French and Lao, by the
// English label.
var demoUnitLabels = map[string]domain.Texts{
	"MoUs":          {"fr": "protocoles d’accord", "lo": "ບົດບັນທຶກຄວາມເຂົ້າໃຈ"},
	"agencies":      {"fr": "organismes", "lo": "ອົງການ"},
	"broadcasts":    {"fr": "émissions", "lo": "ການອອກອາກາດ"},
	"calls":         {"fr": "appels", "lo": "ການໂທ"},
	"cases":         {"fr": "affaires", "lo": "ຄະດີ"},
	"centres":       {"fr": "centres", "lo": "ສູນ"},
	"children":      {"fr": "enfants", "lo": "ເດັກນ້ອຍ"},
	"complaints":    {"fr": "plaintes", "lo": "ຄຳຮ້ອງທຸກ"},
	"courts":        {"fr": "tribunaux", "lo": "ສານ"},
	"days":          {"fr": "jours", "lo": "ມື້"},
	"dialogues":     {"fr": "dialogues", "lo": "ການສົນທະນາ"},
	"districts":     {"fr": "districts", "lo": "ເມືອງ"},
	"exchanges":     {"fr": "échanges", "lo": "ການແລກປ່ຽນ"},
	"inspections":   {"fr": "inspections", "lo": "ການກວດກາ"},
	"investigators": {"fr": "enquêteurs", "lo": "ນັກສືບສວນ"},
	"judgements":    {"fr": "jugements", "lo": "ຄຳຕັດສິນ"},
	"licences":      {"fr": "licences", "lo": "ໃບອະນຸຍາດ"},
	"meetings":      {"fr": "réunions", "lo": "ກອງປະຊຸມ"},
	"migrants":      {"fr": "migrants", "lo": "ຜູ້ເຄື່ອນຍ້າຍ"},
	"officers":      {"fr": "agents", "lo": "ເຈົ້າໜ້າທີ່"},
	"officials":     {"fr": "fonctionnaires", "lo": "ພະນັກງານ"},
	"operations":    {"fr": "opérations", "lo": "ການປະຕິບັດງານ"},
	"people":        {"fr": "personnes", "lo": "ຄົນ"},
	"persons":       {"fr": "personnes", "lo": "ຄົນ"},
	"provinces":     {"fr": "provinces", "lo": "ແຂວງ"},
	"reports":       {"fr": "rapports", "lo": "ບົດລາຍງານ"},
	"staff":         {"fr": "personnels", "lo": "ພະນັກງານ"},
	"survivors":     {"fr": "survivants", "lo": "ຜູ້ລອດຊີວິດ"},
	"teachers":      {"fr": "enseignants", "lo": "ຄູ"},
	"victims":       {"fr": "victimes", "lo": "ຜູ້ເຄາະຮ້າຍ"},
	"workers":       {"fr": "travailleurs", "lo": "ຄົນງານ"},
	"workshops":     {"fr": "ateliers", "lo": "ກອງປະຊຸມສຳມະນາ"},
}

// demoCategoryLabels are the breakdown categories in French and Lao, by
// "dimension=category".
var demoCategoryLabels = map[string]domain.Texts{
	"sex=female":             {"fr": "Femmes", "lo": "ຍິງ"},
	"sex=male":               {"fr": "Hommes", "lo": "ຊາຍ"},
	"age=child":              {"fr": "Moins de 18 ans", "lo": "ຕ່ຳກວ່າ 18 ປີ"},
	"age=adult":              {"fr": "18 ans et plus", "lo": "18 ປີຂຶ້ນໄປ"},
	"nationality=lao":        {"fr": "Laotienne", "lo": "ລາວ"},
	"nationality=thai":       {"fr": "Thaïlandaise", "lo": "ໄທ"},
	"nationality=chinese":    {"fr": "Chinoise", "lo": "ຈີນ"},
	"nationality=vietnamese": {"fr": "Vietnamienne", "lo": "ຫວຽດນາມ"},
	"nationality=other":      {"fr": "Autre", "lo": "ອື່ນໆ"},
	"form=labour":            {"fr": "Travail forcé", "lo": "ແຮງງານບັງຄັບ"},
	"form=sexual":            {"fr": "Exploitation sexuelle", "lo": "ການຂູດຮີດທາງເພດ"},
	"form=marriage":          {"fr": "Mariage forcé", "lo": "ການບັງຄັບແຕ່ງງານ"},
	"form=other":             {"fr": "Autre", "lo": "ອື່ນໆ"},
}
