package seed

import (
	"naptracker/domain"
)

// The demonstration plan is written in English. These translations show
// plan content in French and Lao: the five pillar titles and a handful of
// indicator names. Everything else falls back to the English original,
// which is how a real plan behaves while its translation is under way.

// demoPillarTitles are the pillar titles in French and Lao, by pillar code.
var demoPillarTitles = map[string]domain.Texts{
	"1": {"fr": "Politique et coordination", "lo": "ນະໂຍບາຍ ແລະ ການປະສານງານ"},
	"2": {"fr": "Prévention", "lo": "ການປ້ອງກັນ"},
	"3": {"fr": "Protection et réinsertion", "lo": "ການປົກປ້ອງ ແລະ ການເຊື່ອມໂຍງຄືນສູ່ສັງຄົມ"},
	"4": {"fr": "Poursuites et application de la loi", "lo": "ການດຳເນີນຄະດີ ແລະ ການບັງຄັບໃຊ້ກົດໝາຍ"},
	"5": {"fr": "Coopération régionale et internationale", "lo": "ການຮ່ວມມືພາກພື້ນ ແລະ ສາກົນ"},
}

// demoIndicatorNames are some indicator names in French and Lao, by indicator code.
var demoIndicatorNames = map[string]domain.Texts{
	"1.1.a": {"fr": "Pourcentage des décisions du NSC-TIP mises en œuvre dans les délais convenus",
		"lo": "ອັດຕາສ່ວນຮ້ອຍຂອງມະຕິຂອງ NSC-TIP ທີ່ໄດ້ຈັດຕັ້ງປະຕິບັດພາຍໃນກຳນົດເວລາທີ່ຕົກລົງກັນ"},
	"2.1.a": {"fr": "Pourcentage de personnes des provinces à haut risque capables de citer au moins deux risques de traite",
		"lo": "ອັດຕາສ່ວນຮ້ອຍຂອງປະຊາຊົນໃນແຂວງທີ່ມີຄວາມສ່ຽງສູງທີ່ສາມາດບອກຄວາມສ່ຽງຂອງການຄ້າມະນຸດໄດ້ຢ່າງໜ້ອຍສອງຢ່າງ"},
	"3.1.a": {"fr": "Nombre de victimes de la traite identifiées", "lo": "ຈຳນວນຜູ້ເຄາະຮ້າຍຈາກການຄ້າມະນຸດທີ່ໄດ້ຮັບການກຳນົດຕົວ"},
	"3.2.a": {"fr": "Nombre de victimes ayant bénéficié d’un hébergement et de services de prise en charge",
		"lo": "ຈຳນວນຜູ້ເຄາະຮ້າຍທີ່ໄດ້ຮັບທີ່ພັກອາໄສ ແລະ ການບໍລິການເບິ່ງແຍງ"},
	"4.1.a":   {"fr": "Nombre d’affaires de traite ayant fait l’objet d’une enquête", "lo": "ຈຳນວນຄະດີການຄ້າມະນຸດທີ່ໄດ້ຮັບການສືບສວນ"},
	"4.2.a":   {"fr": "Nombre de trafiquants condamnés", "lo": "ຈຳນວນຜູ້ຄ້າມະນຸດທີ່ຖືກຕັດສິນລົງໂທດ"},
	"5.1.a":   {"fr": "Nombre de victimes lao rapatriées de l’étranger", "lo": "ຈຳນວນຜູ້ເຄາະຮ້າຍຊາວລາວທີ່ຖືກສົ່ງກັບຄືນຈາກຕ່າງປະເທດ"},
	"1.1.1.a": {"fr": "Nombre de réunions du NSC-TIP tenues", "lo": "ຈຳນວນກອງປະຊຸມຂອງ NSC-TIP ທີ່ໄດ້ຈັດຂຶ້ນ"},
	"2.1.1.a": {"fr": "Nombre de personnes touchées par les séances de sensibilisation à la migration sûre",
		"lo": "ຈຳນວນຄົນທີ່ໄດ້ເຂົ້າຮ່ວມກອງໂຄສະນາເຜີຍແຜ່ກ່ຽວກັບການເຄື່ອນຍ້າຍແຮງງານຢ່າງປອດໄພ"},
}
